"""The published rankings and the appraisal sheet (`elearn_report ranking`, P-25).

A ranking report reads the frozen ranking only: its rows are what was published, whatever
has been corrected since. A credit entry of the period recorded after the freeze (a
completion corrected, a credit added late) is listed under `corrections` with the credits
it would make now, so HR sees it without the published ranks moving.

The appraisal rows (half-year and year) cover every learner judged in the period, ranked
or not: months judged, quota met, exempt, required courses completed, credits and the
sanctions that started in the period, read with one aggregate per table.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from elearn_plugin.core.batching import chunked
from elearn_plugin.ledger.models import LedgerEntry, LedgerKind
from elearn_plugin.month_close.models import Standing
from elearn_plugin.org.models import Person, Unit
from elearn_plugin.org.queries import subtree_unit_ids
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rankings import queries
from elearn_plugin.rankings.models import Ranking, RankingEntry
from elearn_plugin.rankings.services import RankingError, is_closed, period_months
from elearn_plugin.rules.periods import Period
from elearn_plugin.standing.models import Sanction, SanctionKind

COLUMNS = ("rank", "employee_id", "username", "name", "unit", "credits")
CORRECTION_COLUMNS = (
    "employee_id",
    "username",
    "name",
    "published_rank",
    "published_credits",
    "credits_now",
    "change",
)
APPRAISAL_COLUMNS = (
    "employee_id",
    "username",
    "name",
    "unit",
    "rank",
    "months_judged",
    "months_quota_met",
    "months_exempt",
    "required_completed",
    "credits",
    "warnings",
    "suspensions",
    "revocations",
)
APPRAISAL_KINDS = ("half_year", "year")


def unit_scope(unit_code: str | None) -> set[int] | None:
    """The ids of a unit's subtree, None for the whole organisation; RankingError if unknown."""
    if unit_code is None:
        return None
    unit_id = Unit.objects.filter(code=unit_code).values_list("pk", flat=True).first()
    if unit_id is None:
        raise RankingError(f"no unit with code {unit_code!r}")
    return subtree_unit_ids([unit_id])


def _people(user_ids) -> dict[int, tuple[str, str, str]]:
    """`{user id: (employee id, username, name)}`, a chunk of ids per query."""
    ids = sorted(set(user_ids))
    found: dict[int, tuple[str, str, str]] = {}
    names: dict[int, str] = {}
    for chunk in chunked(ids, 2000):
        names.update(get_user_model().objects.filter(pk__in=chunk).values_list("pk", "username"))
        for uid, employee_id, name in Person.objects.filter(user_id__in=chunk).values_list(
            "user_id", "employee_id", "name"
        ):
            found[uid] = (employee_id, "", name)
    return {uid: (emp, names.get(uid, ""), name) for uid, (emp, _u, name) in found.items()}


def frozen(period: Period, policy: Policy) -> Ranking:
    """The frozen ranking of `period`; RankingError saying why there is none."""
    if period.kind not in policy.rankings.periods:
        raise RankingError(f"the policy publishes no {period.kind} ranking")
    ranking = Ranking.objects.filter(period=period.label).first()
    if ranking is not None:
        return ranking
    if not is_closed(period, policy):
        raise RankingError(f"{period.label} is not closed yet: its ranking is frozen when it is")
    raise RankingError(f"{period.label} is closed but its ranking is not frozen yet (next tick)")


def _corrections(
    ranking: Ranking, published: dict[int, tuple[int, Decimal]], units: set[int] | None
) -> list[dict]:
    """Credit entries of the period recorded after the freeze, one row per learner (in the
    unit scope: the learner's unit when the period ended)."""
    late = dict(
        LedgerEntry.objects.filter(
            kind=LedgerKind.CREDIT,
            occurred_at__gte=ranking.starts_at,
            occurred_at__lt=ranking.ends_at,
            created_at__gt=ranking.frozen_at,
        )
        .values("user_id")
        .annotate(change=Sum("amount"))
        .order_by()
        .values_list("user_id", "change")
    )
    if units is not None:
        unit_of = queries.units_at(list(late), ranking.ends_at)
        late = {uid: change for uid, change in late.items() if unit_of.get(uid) in units}
    now = queries.credits_of(late, ranking.starts_at, ranking.ends_at)
    people = _people(late)
    rows = []
    for user_id, change in late.items():
        employee_id, username, name = people.get(user_id, ("", "", ""))
        rank, credits = published.get(user_id, (None, None))
        rows.append(
            {
                "employee_id": employee_id,
                "username": username,
                "name": name,
                "published_rank": rank,
                "published_credits": credits,
                "credits_now": now.get(user_id, Decimal("0")),
                "change": change,
            }
        )
    rows.sort(key=lambda row: (row["employee_id"], row["username"]))
    return rows


def ranking_report(period: Period, policy: Policy, *, unit_code: str | None = None) -> dict:
    """`{"period", "kind", "frozen_at", "top_n", "ties", "policy_hash", "rows",
    "corrections"}` of a frozen ranking; rows by rank then employee id."""
    units = unit_scope(unit_code)
    ranking = frozen(period, policy)
    entries = list(ranking.entries.values_list("user_id", "rank", "credits", "unit_id"))
    codes = dict(Unit.objects.filter(pk__in={e[3] for e in entries}).values_list("pk", "code"))
    people = _people(e[0] for e in entries)
    rows = []
    for user_id, rank, credits, unit_id in entries:
        if units is not None and unit_id not in units:
            continue
        employee_id, username, name = people.get(user_id, ("", "", ""))
        rows.append(
            {
                "rank": rank,
                "employee_id": employee_id,
                "username": username,
                "name": name,
                "unit": codes.get(unit_id, ""),
                "credits": credits,
            }
        )
    rows.sort(key=lambda row: (row["rank"], row["employee_id"]))
    published = {user_id: (rank, credits) for user_id, rank, credits, _u in entries}
    corrections = _corrections(ranking, published, units)
    return {
        "period": ranking.period,
        "kind": ranking.kind,
        "frozen_at": ranking.frozen_at,
        "top_n": ranking.top_n,
        "ties": ranking.ties,
        "policy_hash": ranking.policy_hash,
        "rows": rows,
        "corrections": corrections,
    }


def appraisal_rows(period: Period, policy: Policy, *, unit_code: str | None = None) -> list[dict]:
    """One row per learner judged in a closed period, ordered by unit then employee id."""
    units = unit_scope(unit_code)
    months = [m.label for m in period_months(period, policy)]
    standings = Standing.objects.filter(period__in=months)
    judged = {
        row["user_id"]: row
        for row in standings.values("user_id")
        .annotate(
            months_judged=Count("id"),
            months_quota_met=Count("id", filter=Q(quota_met=True)),
            months_exempt=Count("id", filter=Q(quota_met__isnull=True)),
            required_completed=Sum("required_completed"),
        )
        .order_by()
    }
    last_unit = dict(
        standings.order_by("user_id", "period").values_list("user_id", "unit_id")
    )  # the latest month wins
    if units is not None:
        judged = {uid: row for uid, row in judged.items() if last_unit.get(uid) in units}
    credits = dict(
        LedgerEntry.objects.filter(
            kind=LedgerKind.CREDIT,
            occurred_at__gte=period.start_utc,
            occurred_at__lt=period.end_utc,
        )
        .values("user_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("user_id", "total")
    )
    sanctions: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, kind, count in (
        Sanction.objects.filter(starts_at__gte=period.start_utc, starts_at__lt=period.end_utc)
        .values("user_id", "kind")
        .annotate(count=Count("id"))
        .order_by()
        .values_list("user_id", "kind", "count")
    ):
        sanctions[user_id][kind] = count
    ranks = dict(
        RankingEntry.objects.filter(ranking__period=period.label).values_list("user_id", "rank")
    )
    codes = dict(Unit.objects.values_list("pk", "code"))
    people = _people(judged)
    rows = []
    for user_id, row in judged.items():
        employee_id, username, name = people.get(user_id, ("", "", ""))
        mine = sanctions.get(user_id, {})
        rows.append(
            {
                "employee_id": employee_id,
                "username": username,
                "name": name,
                "unit": codes.get(last_unit.get(user_id), ""),
                "rank": ranks.get(user_id),
                "months_judged": row["months_judged"],
                "months_quota_met": row["months_quota_met"],
                "months_exempt": row["months_exempt"],
                "required_completed": row["required_completed"] or 0,
                "credits": credits.get(user_id, Decimal("0")),
                "warnings": mine.get(SanctionKind.WARNING, 0),
                "suspensions": mine.get(SanctionKind.SUSPENSION, 0),
                "revocations": mine.get(SanctionKind.REVOCATION, 0),
            }
        )
    rows.sort(key=lambda row: (row["unit"], row["employee_id"], row["username"]))
    return rows
