"""The standing report of one month: the stored standings of a closed month, or the verdicts
an open close or another policy would give (`elearn_report standing`, `--dry-run`).

One row per learner with a membership during the month, ordered by unit code then
employee id in code points (not the database's collation, which differs between MariaDB,
PostgreSQL and SQLite), with the columns the configuration reference lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model

from elearn_plugin.core.batching import chunked
from elearn_plugin.month_close import consequences
from elearn_plugin.month_close.chunks import CHUNK_LEARNERS, population
from elearn_plugin.month_close.facts import load_chunk, month_rules
from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing
from elearn_plugin.org.models import Person, Unit
from elearn_plugin.org.queries import subtree_unit_ids
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.month_verdicts import judge_many
from elearn_plugin.rules.periods import Period

COLUMNS = (
    "employee_id",
    "username",
    "unit",
    "required_completed",
    "quota",
    "quota_met",
    "missed_tasks",
    "months_with_misses",
    "consequences",
    "exempt",
)


class ReportError(ValueError):
    """A report asked for something that does not exist (an unknown unit code)."""


def _unit_filter(unit_code: str | None) -> set[int] | None:
    if unit_code is None:
        return None
    unit_id = Unit.objects.filter(code=unit_code).values_list("pk", flat=True).first()
    if unit_id is None:
        raise ReportError(f"no unit with code {unit_code!r}")
    return subtree_unit_ids([unit_id])


def _labels(user_ids: Iterable[int], unit_ids: Iterable[int]) -> tuple[dict, dict, dict]:
    ids = list(set(user_ids))
    people: dict[int, str] = {}
    names: dict[int, str] = {}
    for chunk in chunked(ids, 2000):
        people.update(
            Person.objects.filter(user_id__in=chunk).values_list("user_id", "employee_id")
        )
        names.update(get_user_model().objects.filter(pk__in=chunk).values_list("pk", "username"))
    codes = dict(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "code"))
    return people, names, codes


def _rows(items: list[tuple[int, int | None, dict]]) -> list[dict]:
    """Report rows from `(user_id, unit_id, standing fields)`, sorted as documented."""
    people, names, codes = _labels(
        (uid for uid, _u, _f in items), (u for _i, u, _f in items if u is not None)
    )
    rows = []
    for user_id, unit_id, fields in items:
        rows.append(
            {
                "employee_id": people.get(user_id, ""),
                "username": names.get(user_id, ""),
                "unit": codes.get(unit_id, "") if unit_id is not None else "",
                "required_completed": fields["required_completed"],
                "quota": fields["quota"],
                "quota_met": fields["quota_met"],
                "missed_tasks": fields["missed_tasks"],
                "months_with_misses": fields["months_with_misses"],
                "consequences": list(fields["consequences"]),
                "exempt": fields["exempt"] or None,
            }
        )
    rows.sort(key=lambda row: (row["unit"], row["employee_id"], row["username"]))
    return rows


def stored_rows(period: Period, units: set[int] | None) -> list[dict]:
    standings = Standing.objects.filter(period=period.label)
    if units is not None:
        standings = standings.filter(unit_id__in=units)
    values = standings.values_list(
        "user_id",
        "unit_id",
        "required_completed",
        "quota",
        "quota_met",
        "missed_tasks",
        "months_with_misses",
        "consequences",
        "exempt",
    )
    names = ("required_completed", "quota", "quota_met", "missed_tasks", "months_with_misses")
    return _rows(
        [
            (uid, unit, dict(zip((*names, "consequences", "exempt"), rest, strict=True)))
            for uid, unit, *rest in values.iterator(chunk_size=2000)
        ]
    )


def preview_rows(
    period: Period, policy: Policy, decided_at: datetime, units: set[int] | None
) -> list[dict]:
    """The verdicts `policy` gives for `period` now, written nowhere."""
    rules = month_rules(policy)
    items = []
    for ids in chunked(list(population(period)), CHUNK_LEARNERS):
        facts, unit_of = load_chunk(ids, period, policy)
        for verdict in judge_many(facts, rules, period, decided_at):
            unit_id = unit_of.get(verdict.user_id)
            if units is None or unit_id in units:
                fields = consequences.standing_fields(verdict)
                items.append((verdict.user_id, unit_id, fields))
    return _rows(items)


def standing_report(
    period: Period,
    policy: Policy,
    policy_hash: str,
    now: datetime,
    *,
    unit_code: str | None = None,
    preview: bool = False,
) -> dict:
    """`{"period", "closed", "policy_hash", "rows"}`: stored rows once a month is judged
    (closed, held or applying), else (or with `preview`) what `policy` decides now."""
    units = _unit_filter(unit_code)
    close = MonthClose.objects.filter(period=period.label).first()
    judged = close is not None and close.status != CloseStatus.JUDGING
    if judged and not preview:
        return {
            "period": period.label,
            "closed": close.status == CloseStatus.CLOSED,
            "status": close.status,
            "policy_hash": close.policy_hash,
            "rows": stored_rows(period, units),
        }
    return {
        "period": period.label,
        "closed": False,
        "status": "preview",
        "policy_hash": policy_hash,
        "rows": preview_rows(period, policy, now, units),
    }
