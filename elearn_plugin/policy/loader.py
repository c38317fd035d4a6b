"""Policy file (YAML) -> `Policy`, reporting every problem with its file, line and key.

Pure module (no Django), so that the command line, the system check and the rules' tests
read the same file the same way. Operators fix the file from these messages: each one says
which key is wrong, on which line, and what a valid value looks like.

The file's shape is in `shape`, the value checks in `checker`, the calendar and learning
windows in `work_time`, course completion and assignments in `assignments`, the edge cases
of judging a month in `month_close`; YAML with
lines is `elearn_plugin.textformats.yaml_lines`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from elearn_plugin.policy.assignments import assignments, completion
from elearn_plugin.policy.checker import BAD, Checker, Fields, leaf, ok, sub
from elearn_plugin.policy.month_close import month_close
from elearn_plugin.policy.privacy import privacy
from elearn_plugin.policy.schema import (
    PERIOD_KINDS,
    RANKING_EXEMPT_MONTHS,
    RANKING_TIES,
    SHARING_ACTIONS,
    CreditRule,
    HoursCapRule,
    MissedTaskRule,
    Policy,
    PolicyError,
    PolicyProblem,
    QuotaRule,
    RankingRule,
    RevocationRule,
    RosterRule,
    SharingRule,
    VideoRule,
)
from elearn_plugin.policy.shape import SPEC, SUPPORTED_VERSIONS, policy_keys
from elearn_plugin.policy.work_time import calendar, learning_windows
from elearn_plugin.textformats.yaml_lines import InvalidScalar, LineLoader, MarkedList, MarkedMap

PolicyYamlLoader = LineLoader

__all__ = [
    "SUPPORTED_VERSIONS",
    "InvalidScalar",
    "MarkedList",
    "MarkedMap",
    "Policy",
    "PolicyError",
    "PolicyProblem",
    "PolicyYamlLoader",
    "load_policy",
    "parse_policy",
    "policy_keys",
]


def _read(source: str, text: str) -> Any:
    loader = LineLoader(text)
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
    check = Checker(source)
    root = check.section(data, 1, "", tuple(SPEC))
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


def _build(check: Checker, root: Fields) -> Policy | None:
    version = leaf(root, "version", "", lambda v, ln, k: _version(check, v, ln, k))
    effective_from = leaf(root, "effective_from", "", check.day)
    timezone = leaf(root, "timezone", "", check.zone)
    at_least = check.at_least

    quota_f = sub(check, root, "quota", "quota")
    quota = (
        leaf(quota_f, "required_courses_per_month", "quota", at_least(1)),
        leaf(quota_f, "reminder_email", "quota", check.boolean),
    )

    missed_f = sub(check, root, "missed_tasks", "missed_tasks")
    missed = (
        leaf(missed_f, "per_month_to_suspend", "missed_tasks", at_least(1)),
        leaf(missed_f, "suspension_days", "missed_tasks", at_least(1)),
    )

    revocation_f = sub(check, root, "revocation", "revocation")
    revocation = (
        leaf(revocation_f, "months_with_misses", "revocation", at_least(1)),
        leaf(revocation_f, "window_months", "revocation", at_least(1)),
    )
    if ok(*revocation) and revocation[1] < revocation[0]:
        check.add(
            revocation_f["window_months"][1],
            "revocation.window_months",
            f"must be at least revocation.months_with_misses ({revocation[0]}),"
            f" else no account can ever be revoked",
        )

    sharing_f = sub(check, root, "sharing", "sharing")
    sharing = (
        leaf(sharing_f, "action", "sharing", check.one_of(SHARING_ACTIONS)),
        leaf(sharing_f, "suspension_days", "sharing", at_least(1)),
        leaf(sharing_f, "incident_window_hours", "sharing", at_least(1)),
    )

    cap_f = sub(check, root, "online_hours_cap", "online_hours_cap")
    cap = (
        leaf(cap_f, "unit_level", "online_hours_cap", at_least(0)),
        leaf(cap_f, "default_share", "online_hours_cap", check.share),
        leaf(cap_f, "travel_heavy_share", "online_hours_cap", check.share),
    )
    if ok(*cap) and cap[2] < cap[1]:
        check.add(
            cap_f["travel_heavy_share"][1],
            "online_hours_cap.travel_heavy_share",
            f"must not be smaller than online_hours_cap.default_share ({cap[1]:g})",
        )

    rankings_f = sub(check, root, "rankings", "rankings")
    rankings = (
        leaf(rankings_f, "top_n", "rankings", at_least(1)),
        leaf(rankings_f, "periods", "rankings", lambda v, ln, k: _periods(check, v, ln, k)),
        leaf(rankings_f, "quota_met_only", "rankings", check.boolean),
        leaf(rankings_f, "ties", "rankings", check.one_of(RANKING_TIES)),
        leaf(rankings_f, "exempt_months", "rankings", check.one_of(RANKING_EXEMPT_MONTHS)),
        leaf(rankings_f, "exclude_blocked", "rankings", check.boolean),
    )

    credits_f = sub(check, root, "credits", "credits")
    credit = leaf(credits_f, "default_per_course", "credits", check.number)
    points = leaf(credits_f, "points_per_contribution", "credits", check.number)

    work_calendar = calendar(check, root)
    windows = learning_windows(check, root)

    video_f = sub(check, root, "video", "video")
    num = check.number_within
    video = (
        leaf(video_f, "end_tolerance_seconds", "video", num(maximum=1.0)),
        leaf(video_f, "start_tolerance_seconds", "video", num()),
        leaf(video_f, "rate_slack", "video", check.share),
        leaf(video_f, "max_playback_rate", "video", num(minimum=1.0, maximum=2.0)),
        leaf(video_f, "report_interval_seconds", "video", at_least(1)),
        leaf(video_f, "duration_mismatch_seconds", "video", num()),
    )
    completion_rule = completion(check, root)
    assignment_policy = assignments(check, root)
    month_close_rule = month_close(check, root)

    roster_f = sub(check, root, "roster", "roster")
    roster = (
        leaf(roster_f, "max_departure_share", "roster", check.share),
        leaf(roster_f, "min_departures_held", "roster", at_least(0)),
    )

    privacy_rule = privacy(check, root)

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
        credits=CreditRule(Decimal(str(credit)), Decimal(str(points))),
        calendar=work_calendar,
        learning_windows=windows,
        video=VideoRule(*video),
        completion=completion_rule,
        assignments=assignment_policy,
        month_close=month_close_rule,
        roster=RosterRule(*roster),
        privacy=privacy_rule,
    )


def _version(check: Checker, value: Any, line: int, key: str) -> Any:
    value = check.integer(value, line, key, minimum=1)
    if value is not BAD and value not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        return check.add(line, key, f"unsupported version {value}: this plugin reads {supported}")
    return value


def _periods(check: Checker, value: Any, line: int, key: str) -> Any:
    items = check.items(value, line, key, allow_empty=False)
    if items is None:
        return BAD
    kinds = []
    for i, item, item_line in items:
        kind = check.choice(item, item_line, f"{key}[{i}]", PERIOD_KINDS)
        if kind is not BAD and kind in kinds:
            check.add(item_line, f"{key}[{i}]", f"'{kind}' is listed twice")
        kinds.append(kind)
    return tuple(kinds) if ok(*kinds) else BAD
