"""Policy file (YAML) -> `Policy`, reporting every problem with its file, line and key.

Pure module (no Django), so that the command line, the system check and the rules' tests
read the same file the same way. Operators fix the file from these messages: each one says
which key is wrong, on which line, and what a valid value looks like.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from elearn_plugin.policy.schema import (
    PERIOD_KINDS,
    SHARING_ACTIONS,
    WEEK_KINDS,
    WEEKDAY_NAMES,
    WINDOW_MODES,
    CreditRule,
    HoursCapRule,
    LearningWindows,
    MissedTaskRule,
    Policy,
    PolicyError,
    PolicyProblem,
    QuotaRule,
    RankingRule,
    RevocationRule,
    SharingRule,
    TimeRange,
    VideoRule,
    WindowSlot,
    WorkCalendar,
)

SUPPORTED_VERSIONS = (1,)

# The shape of the file: a section maps to its keys, a leaf to None.
_SPEC: dict[str, Any] = {
    "version": None,
    "effective_from": None,
    "timezone": None,
    "quota": {"required_courses_per_month": None, "reminder_email": None},
    "missed_tasks": {"per_month_to_suspend": None, "suspension_days": None},
    "revocation": {"months_with_misses": None, "window_months": None},
    "sharing": {"action": None, "suspension_days": None},
    "online_hours_cap": {"unit_level": None, "default_share": None, "travel_heavy_share": None},
    "rankings": {"top_n": None, "periods": None, "quota_met_only": None},
    "credits": {"default_per_course": None},
    "calendar": {
        "working_weekdays": None,
        "big_week": {"extra_weekday": None, "anchor": None},
        "working_hours": None,
        "holidays": None,
        "swapped_working_days": None,
    },
    "learning_windows": {"mode": None, "slots": None},
    "video": {
        "end_tolerance_seconds": None,
        "start_tolerance_seconds": None,
        "rate_slack": None,
        "max_playback_rate": None,
        "report_interval_seconds": None,
        "duration_mismatch_seconds": None,
    },
}
_SLOT_KEYS = ("weekday", "week", "start", "end")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
# YAML 1.1 reads 1e-3 and 1.5e3 as text; they are plainly numbers.
_EXPONENT_RE = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
_BAD = object()  # a value already reported as a problem


def policy_keys() -> tuple[str, ...]:
    """Every leaf key of the policy file, dotted (`calendar.big_week.anchor`)."""

    def walk(spec: dict[str, Any], prefix: str) -> list[str]:
        keys: list[str] = []
        for name, sub in spec.items():
            dotted = f"{prefix}{name}"
            keys.extend(walk(sub, dotted + ".") if sub else [dotted])
        return keys

    keys = walk(_SPEC, "")
    keys.extend(f"learning_windows.slots[].{name}" for name in _SLOT_KEYS)
    return tuple(keys)


# --- YAML with line numbers -------------------------------------------------------------


class MarkedMap(dict):
    """A YAML mapping that remembers the line of each key and the keys written twice."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int]] = []
        self.unhashable_lines: list[int] = []


class MarkedList(list):
    """A YAML sequence that remembers the line of each item."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []


class InvalidScalar:
    """A scalar YAML recognised (a date) but could not build (2026-13-01)."""

    def __init__(self, text: str, reason: str):
        self.text = text
        self.reason = reason

    def __repr__(self) -> str:
        return self.text


class PolicyYamlLoader(yaml.SafeLoader):
    """SafeLoader keeping line numbers, refusing duplicate keys and reading 16:30 as a time."""


def _construct_map(loader: PolicyYamlLoader, node: yaml.MappingNode):
    data = MarkedMap()
    data.line = node.start_mark.line + 1
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            data.unhashable_lines.append(line)
            continue
        if key in data:
            data.duplicates.append((key, line))
            continue
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = line


def _construct_seq(loader: PolicyYamlLoader, node: yaml.SequenceNode):
    data = MarkedList()
    data.line = node.start_mark.line + 1
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=True))
        data.lines.append(child.start_mark.line + 1)


def _construct_number(loader: PolicyYamlLoader, node: yaml.ScalarNode):
    # YAML 1.1 reads an unquoted 16:30 as the base-60 number 990; keep it as the text.
    if ":" in node.value:
        return str(node.value)
    if node.tag.endswith(":int"):
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    return yaml.SafeLoader.construct_yaml_float(loader, node)


def _construct_timestamp(loader: PolicyYamlLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        return InvalidScalar(str(node.value), str(exc))


PolicyYamlLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
PolicyYamlLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
PolicyYamlLoader.add_constructor("tag:yaml.org,2002:int", _construct_number)
PolicyYamlLoader.add_constructor("tag:yaml.org,2002:float", _construct_number)
PolicyYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


# --- validation -------------------------------------------------------------------------


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int):
        return f"a whole number ({value})"
    if isinstance(value, float):
        return f"a number ({value:g})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, datetime):
        return f"a date and time ({value.isoformat()})"
    if isinstance(value, date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (empty value)"
    return repr(value)


class _Checker:
    """Collects problems; each parse method returns the value or `_BAD` once reported."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[PolicyProblem] = []

    def add(self, line: int | None, key: str, message: str) -> object:
        self.problems.append(PolicyProblem(self.source, line, key, message))
        return _BAD

    # Structure

    def section(
        self, value: Any, line: int | None, key: str, names: tuple[str, ...]
    ) -> dict[str, tuple[Any, int]] | None:
        """The known keys of a mapping with their lines; unknown and missing keys reported."""
        if not isinstance(value, MarkedMap):
            self.add(line, key, f"must be a mapping of keys, got {_describe(value)}")
            return None
        prefix = f"{key}." if key else ""
        for dup, dup_line in value.duplicates:
            self.add(dup_line, f"{prefix}{dup}", "key written twice: keep only one")
        for bad_line in value.unhashable_lines:
            self.add(bad_line, key or "(file)", "a key must be a plain name")
        found: dict[str, tuple[Any, int]] = {}
        for name, item in value.items():
            name_line = value.lines[name]
            if not isinstance(name, str) or name not in names:
                hint = difflib.get_close_matches(str(name), names, n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
                self.add(name_line, f"{prefix}{name}", f"unknown key{suggestion}")
                continue
            found[name] = (item, name_line)
        for name in names:
            if name not in found and name not in {d for d, _ in value.duplicates}:
                self.add(line or value.line, f"{prefix}{name}", "missing key")
        return found

    def items(self, value: Any, line: int, key: str, *, allow_empty: bool = True):
        """(index, item, line) of a list; a non-list is reported."""
        if not isinstance(value, MarkedList):
            self.add(line, key, f"must be a list, got {_describe(value)}")
            return None
        if not value and not allow_empty:
            self.add(line, key, "must not be empty")
            return None
        return [(i, item, value.lines[i]) for i, item in enumerate(value)]

    # Leaves

    def integer(self, value: Any, line: int, key: str, *, minimum: int) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return self.add(line, key, f"must be a whole number, got {_describe(value)}")
        if value < minimum:
            need = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
            return self.add(line, key, f"{need}, got {value}")
        return value

    def number(
        self,
        value: Any,
        line: int,
        key: str,
        *,
        minimum: float = 0.0,
        maximum: float | None = None,
        positive: bool = False,
    ) -> Any:
        if isinstance(value, str) and _EXPONENT_RE.match(value):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.add(line, key, f"must be a number, got {_describe(value)}")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            return self.add(line, key, "must be a finite number")
        if positive and value <= 0:
            return self.add(line, key, f"must be greater than 0, got {value:g}")
        if value < minimum:
            return self.add(line, key, f"must be at least {minimum:g}, got {value:g}")
        if maximum is not None and value > maximum:
            return self.add(line, key, f"must be at most {maximum:g}, got {value:g}")
        return value

    def share(self, value: Any, line: int, key: str) -> Any:
        value = self.number(value, line, key, minimum=float("-inf"))
        if value is _BAD:
            return _BAD
        if 1 < value <= 100:
            return self.add(
                line, key, f"is a share between 0 and 1: write {value:g} % as {value / 100:.2f}"
            )
        if not 0 <= value <= 1:
            return self.add(line, key, f"must be a share between 0 and 1, got {value:g}")
        return value

    def boolean(self, value: Any, line: int, key: str) -> Any:
        if not isinstance(value, bool):
            return self.add(line, key, f"must be true or false, got {_describe(value)}")
        return value

    def choice(self, value: Any, line: int, key: str, choices: tuple[str, ...]) -> Any:
        if not isinstance(value, str) or value not in choices:
            shown = value if isinstance(value, str) else _describe(value)
            return self.add(line, key, f"unknown value '{shown}': use one of {', '.join(choices)}")
        return value

    def weekday(self, value: Any, line: int, key: str) -> Any:
        if not isinstance(value, str) or value.lower() not in WEEKDAY_NAMES:
            shown = value if isinstance(value, str) else _describe(value)
            return self.add(
                line, key, f"unknown weekday '{shown}': use one of {', '.join(WEEKDAY_NAMES)}"
            )
        return WEEKDAY_NAMES.index(value.lower())

    def day(self, value: Any, line: int, key: str) -> Any:
        if isinstance(value, InvalidScalar):
            return self.add(line, key, f"'{value.text}' is not a valid date ({value.reason})")
        if isinstance(value, datetime):
            return self.add(line, key, "must be a date (YYYY-MM-DD) without a time")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        return self.add(line, key, f"must be a date written YYYY-MM-DD, got {_describe(value)}")

    def clock(self, value: Any, line: int, key: str) -> Any:
        match = _TIME_RE.match(value) if isinstance(value, str) else None
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour <= 23 and minute <= 59:
                return time(hour, minute)
        shown = f"'{value}'" if isinstance(value, str) else _describe(value)
        return self.add(
            line, key, f'{shown} is not a time of day: write "HH:MM" from 00:00 to 23:59'
        )

    def zone(self, value: Any, line: int, key: str) -> Any:
        if not isinstance(value, str) or not value:
            return self.add(line, key, f"must be a time zone name, got {_describe(value)}")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return self.add(
                line, key, f"unknown time zone '{value}': use an IANA name like Asia/Shanghai"
            )
        return value


def _read(source: str, text: str) -> Any:
    loader = PolicyYamlLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Validate a policy file's text; raises `PolicyError` listing every problem."""
    try:
        data = _read(source, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise PolicyError([PolicyProblem(source, line, "", f"YAML syntax error: {detail}")])
    except yaml.YAMLError as exc:
        raise PolicyError([PolicyProblem(source, None, "", f"YAML syntax error: {exc}")])
    if data is None:
        raise PolicyError(
            [PolicyProblem(source, None, "", "the file is empty: it must be a mapping of keys")]
        )
    check = _Checker(source)
    root = check.section(data, 1, "", tuple(_SPEC))
    if root is None:
        raise PolicyError(check.problems)
    policy = _build(check, root)
    if check.problems:
        raise PolicyError(check.problems)
    return policy


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; raises `PolicyError` naming the file, line and key."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError([PolicyProblem(source, None, "", "file not found")])
    except IsADirectoryError:
        raise PolicyError([PolicyProblem(source, None, "", "is a directory, not a file")])
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise PolicyError([PolicyProblem(source, None, "", f"cannot read the file: {reason}")])
    except UnicodeDecodeError as exc:
        raise PolicyError([PolicyProblem(source, None, "", f"not UTF-8 text (byte {exc.start})")])
    return parse_policy(text, source)


# --- building ---------------------------------------------------------------------------

_Fields = dict[str, tuple[Any, int]]


def _sub(check: _Checker, parent: _Fields, name: str, key: str) -> _Fields | None:
    if name not in parent:
        return None
    value, line = parent[name]
    return check.section(value, line, key, tuple(_spec_at(key)))


def _spec_at(key: str) -> dict[str, Any]:
    spec: Any = _SPEC
    for part in key.split("."):
        spec = spec[part]
    return spec


def _leaf(
    fields: _Fields | None, name: str, key: str, parse: Callable[[Any, int, str], Any]
) -> Any:
    if fields is None or name not in fields:
        return _BAD
    value, line = fields[name]
    return parse(value, line, f"{key}.{name}" if key else name)


def _ok(*values: Any) -> bool:
    return all(v is not _BAD for v in values)


def _build(check: _Checker, root: _Fields) -> Policy | None:
    version = _leaf(root, "version", "", lambda v, ln, k: _version(check, v, ln, k))
    effective_from = _leaf(root, "effective_from", "", check.day)
    timezone = _leaf(root, "timezone", "", check.zone)

    def at_least(minimum: int) -> Callable[[Any, int, str], Any]:
        return lambda v, ln, k: check.integer(v, ln, k, minimum=minimum)

    quota_f = _sub(check, root, "quota", "quota")
    quota = (
        _leaf(quota_f, "required_courses_per_month", "quota", at_least(1)),
        _leaf(quota_f, "reminder_email", "quota", check.boolean),
    )

    missed_f = _sub(check, root, "missed_tasks", "missed_tasks")
    missed = (
        _leaf(missed_f, "per_month_to_suspend", "missed_tasks", at_least(1)),
        _leaf(missed_f, "suspension_days", "missed_tasks", at_least(1)),
    )

    revocation_f = _sub(check, root, "revocation", "revocation")
    revocation = (
        _leaf(revocation_f, "months_with_misses", "revocation", at_least(1)),
        _leaf(revocation_f, "window_months", "revocation", at_least(1)),
    )
    if _ok(*revocation) and revocation[1] < revocation[0]:
        check.add(
            revocation_f["window_months"][1],
            "revocation.window_months",
            f"must be at least revocation.months_with_misses ({revocation[0]}),"
            f" else no account can ever be revoked",
        )

    sharing_f = _sub(check, root, "sharing", "sharing")
    sharing = (
        _leaf(
            sharing_f, "action", "sharing", lambda v, ln, k: check.choice(v, ln, k, SHARING_ACTIONS)
        ),
        _leaf(sharing_f, "suspension_days", "sharing", at_least(1)),
    )

    cap_f = _sub(check, root, "online_hours_cap", "online_hours_cap")
    cap = (
        _leaf(cap_f, "unit_level", "online_hours_cap", at_least(0)),
        _leaf(cap_f, "default_share", "online_hours_cap", check.share),
        _leaf(cap_f, "travel_heavy_share", "online_hours_cap", check.share),
    )
    if _ok(*cap) and cap[2] < cap[1]:
        check.add(
            cap_f["travel_heavy_share"][1],
            "online_hours_cap.travel_heavy_share",
            f"must not be smaller than online_hours_cap.default_share ({cap[1]:g})",
        )

    rankings_f = _sub(check, root, "rankings", "rankings")
    rankings = (
        _leaf(rankings_f, "top_n", "rankings", at_least(1)),
        _leaf(rankings_f, "periods", "rankings", lambda v, ln, k: _periods(check, v, ln, k)),
        _leaf(rankings_f, "quota_met_only", "rankings", check.boolean),
    )

    credits_f = _sub(check, root, "credits", "credits")
    credit = _leaf(credits_f, "default_per_course", "credits", check.number)

    calendar = _calendar(check, root)
    windows = _windows(check, root)

    video_f = _sub(check, root, "video", "video")

    def num(**limits: Any) -> Callable[[Any, int, str], Any]:
        return lambda v, ln, k: check.number(v, ln, k, **limits)

    video = (
        _leaf(video_f, "end_tolerance_seconds", "video", num(maximum=1.0)),
        _leaf(video_f, "start_tolerance_seconds", "video", num()),
        _leaf(video_f, "rate_slack", "video", check.share),
        _leaf(video_f, "max_playback_rate", "video", num(minimum=1.0, maximum=2.0)),
        _leaf(video_f, "report_interval_seconds", "video", at_least(1)),
        _leaf(video_f, "duration_mismatch_seconds", "video", num()),
    )

    if check.problems:
        return None
    return Policy(
        source=check.source,
        version=version,
        effective_from=effective_from,
        timezone=timezone,
        quota=QuotaRule(*quota),
        missed_tasks=MissedTaskRule(*missed),
        revocation=RevocationRule(*revocation),
        sharing=SharingRule(*sharing),
        online_hours_cap=HoursCapRule(*cap),
        rankings=RankingRule(*rankings),
        credits=CreditRule(Decimal(str(credit))),
        calendar=calendar,
        learning_windows=windows,
        video=VideoRule(*video),
    )


def _version(check: _Checker, value: Any, line: int, key: str) -> Any:
    value = check.integer(value, line, key, minimum=1)
    if value is not _BAD and value not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        return check.add(line, key, f"unsupported version {value}: this plugin reads {supported}")
    return value


def _periods(check: _Checker, value: Any, line: int, key: str) -> Any:
    items = check.items(value, line, key, allow_empty=False)
    if items is None:
        return _BAD
    kinds = []
    for i, item, item_line in items:
        kind = check.choice(item, item_line, f"{key}[{i}]", PERIOD_KINDS)
        if kind is not _BAD and kind in kinds:
            check.add(item_line, f"{key}[{i}]", f"'{kind}' is listed twice")
        kinds.append(kind)
    return tuple(kinds) if _ok(*kinds) else _BAD


def _weekday_set(check: _Checker, value: Any, line: int, key: str) -> Any:
    items = check.items(value, line, key, allow_empty=False)
    if items is None:
        return _BAD
    days = []
    for i, item, item_line in items:
        day = check.weekday(item, item_line, f"{key}[{i}]")
        if day is not _BAD and day in days:
            check.add(item_line, f"{key}[{i}]", f"'{item}' is listed twice")
        days.append(day)
    return frozenset(days) if _ok(*days) else _BAD


def _date_set(check: _Checker, value: Any, line: int, key: str) -> Any:
    if value is None:  # `holidays:` left empty
        return frozenset()
    items = check.items(value, line, key)
    if items is None:
        return _BAD
    days = [check.day(item, item_line, f"{key}[{i}]") for i, item, item_line in items]
    return frozenset(days) if _ok(*days) else _BAD


def _time_range(check: _Checker, value: Any, line: int, key: str) -> Any:
    if not isinstance(value, MarkedList) or len(value) != 2:
        return check.add(line, key, 'must be a pair ["HH:MM", "HH:MM"] (start, end)')
    start = check.clock(value[0], value.lines[0], f"{key}[0]")
    end = check.clock(value[1], value.lines[1], f"{key}[1]")
    if not _ok(start, end):
        return _BAD
    if start >= end:
        return check.add(line, key, f"start {start:%H:%M} must be before end {end:%H:%M}")
    return TimeRange(start, end)


def _working_hours(check: _Checker, value: Any, line: int, key: str) -> Any:
    items = check.items(value, line, key, allow_empty=False)
    if items is None:
        return _BAD
    ranges = [
        (_time_range(check, item, item_line, f"{key}[{i}]"), item_line, i)
        for i, item, item_line in items
    ]
    if not _ok(*(r for r, _, _ in ranges)):
        return _BAD
    ordered = sorted(ranges, key=lambda r: r[0].start)
    for (before, _, _), (after, after_line, i) in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end:
            check.add(
                after_line,
                f"{key}[{i}]",
                f"overlaps the range {before.start:%H:%M}-{before.end:%H:%M}",
            )
    return tuple(r for r, _, _ in ordered)


def _calendar(check: _Checker, root: _Fields) -> Any:
    fields = _sub(check, root, "calendar", "calendar")
    weekdays = _leaf(
        fields, "working_weekdays", "calendar", lambda v, ln, k: _weekday_set(check, v, ln, k)
    )
    big_f = _sub(check, fields, "big_week", "calendar.big_week") if fields else None
    extra = _leaf(big_f, "extra_weekday", "calendar.big_week", check.weekday)
    anchor = _leaf(big_f, "anchor", "calendar.big_week", check.day)
    hours = _leaf(
        fields, "working_hours", "calendar", lambda v, ln, k: _working_hours(check, v, ln, k)
    )
    holidays = _leaf(fields, "holidays", "calendar", lambda v, ln, k: _date_set(check, v, ln, k))
    swapped = _leaf(
        fields, "swapped_working_days", "calendar", lambda v, ln, k: _date_set(check, v, ln, k)
    )
    if _ok(weekdays, extra) and extra in weekdays:
        check.add(
            big_f["extra_weekday"][1],
            "calendar.big_week.extra_weekday",
            f"'{WEEKDAY_NAMES[extra]}' is already in calendar.working_weekdays;"
            " the big week adds a day that is not",
        )
    if _ok(holidays, swapped):
        both = sorted(holidays & swapped)
        if both:
            check.add(
                fields["swapped_working_days"][1],
                "calendar.swapped_working_days",
                "dates listed both as holidays and as working days: "
                + ", ".join(d.isoformat() for d in both),
            )
    if not _ok(weekdays, extra, anchor, hours, holidays, swapped):
        return _BAD
    return WorkCalendar(weekdays, extra, anchor, hours, holidays, swapped)


def _windows(check: _Checker, root: _Fields) -> Any:
    fields = _sub(check, root, "learning_windows", "learning_windows")
    mode = _leaf(
        fields, "mode", "learning_windows", lambda v, ln, k: check.choice(v, ln, k, WINDOW_MODES)
    )
    slots = _leaf(fields, "slots", "learning_windows", lambda v, ln, k: _slots(check, v, ln, k))
    if not _ok(mode, slots):
        return _BAD
    return LearningWindows(mode, slots)


def _slots(check: _Checker, value: Any, line: int, key: str) -> Any:
    if value is None:  # no window at all: working time is never for learning
        return ()
    items = check.items(value, line, key)
    if items is None:
        return _BAD
    slots = []
    for i, item, item_line in items:
        slot_key = f"{key}[{i}]"
        fields = check.section(item, item_line, slot_key, _SLOT_KEYS)
        weekday = _leaf(fields, "weekday", slot_key, check.weekday)
        week = _leaf(fields, "week", slot_key, lambda v, ln, k: check.choice(v, ln, k, WEEK_KINDS))
        start = _leaf(fields, "start", slot_key, check.clock)
        end = _leaf(fields, "end", slot_key, check.clock)
        if _ok(start, end) and start >= end:
            check.add(item_line, slot_key, f"start {start:%H:%M} must be before end {end:%H:%M}")
            start = _BAD
        slots.append(
            WindowSlot(weekday, week, start, end) if _ok(weekday, week, start, end) else _BAD
        )
    return tuple(slots) if _ok(*slots) else _BAD
