"""The figures of HR's compliance dashboard (P-21..P-25, P-28, P-33, P-34), read set-based.

Every figure is one aggregate query grouped by unit (or one count), never a query per
learner or per unit, so the page costs the same for 30 learners as for 30,000. A learner
counts in the unit they belong to now (`Person.unit`), except in a closed month, whose
standings keep the unit the learner had when the month ended. The open month's quota share
is provisional: it counts the required completions so far, as the learner's own summary
does; the month close decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from elearn_plugin.courses.models import Assignment, CourseCompletion, CourseKind, CoursePolicy
from elearn_plugin.feedback.models import FeedbackItem, ItemState
from elearn_plugin.feedback.services import late_items
from elearn_plugin.hours.report import hours_report
from elearn_plugin.month_close.consequences import RULES, source_of
from elearn_plugin.month_close.models import CloseStatus, MonthClose, Standing
from elearn_plugin.org.models import Membership, Person, Unit
from elearn_plugin.org.queries import subtree_unit_ids, units_without_contact
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rankings.models import Ranking, RankingEntry
from elearn_plugin.reinstatement.models import ApplicationStatus, ReinstatementApplication
from elearn_plugin.review.models import ReviewItem, ReviewState
from elearn_plugin.roster.models import RosterSync, SyncStatus
from elearn_plugin.rules.periods import Period, month_of, months_back, period_from_label
from elearn_plugin.sharing.models import IncidentStatus, SharingIncident
from elearn_plugin.standing.models import Sanction, SanctionKind

TREND_MONTHS = 12
TOP_ENTRIES = 10
KIND_ORDER = ("month", "quarter", "half_year", "year")
SANCTION_KINDS = (SanctionKind.WARNING, SanctionKind.SUSPENSION, SanctionKind.REVOCATION)
_UNIT_OF_USER = "user__elearn_person__unit_id"
_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")


class DashboardError(ValueError):
    """A request the dashboard cannot answer; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Scope:
    """The whole organisation (`unit_ids` None) or one unit's subtree."""

    code: str | None = None
    name: str = ""
    unit_ids: frozenset[int] | None = None

    def narrow(self, queryset, field: str):
        """The queryset kept to learners or rows whose `field` lies in the subtree."""
        if self.unit_ids is None:
            return queryset
        return queryset.filter(**{f"{field}__in": self.unit_ids})


def resolve_scope(unit_code: str | None) -> Scope:
    """The scope a `?unit=CODE` names; an unknown code is a 404, not an empty page."""
    if not unit_code:
        return Scope()
    unit = Unit.objects.filter(code=unit_code).values_list("pk", "name").first()
    if unit is None:
        from django.utils.translation import gettext as _  # noqa: PLC0415

        raise DashboardError(_("No unit has the code %(code)s.") % {"code": unit_code}, 404)
    return Scope(unit_code, unit[1], frozenset(subtree_unit_ids([unit[0]])))


def resolve_period(label: str | None, policy: Policy, now: datetime) -> Period:
    """The month `?period=YYYY-MM` names, the current month (policy zone) without one; a
    month that has not begun has no figures yet."""
    from django.utils.translation import gettext as _  # noqa: PLC0415

    current = month_of(now, policy.tz)
    if not label:
        return current
    try:
        period = period_from_label(label, policy.tz)
    except ValueError:
        period = None
    if period is None or period.kind != "month":
        raise DashboardError(_("The month must be written as YYYY-MM, e.g. 2026-03."))
    if period.start_utc > current.start_utc:
        raise DashboardError(_("The month %(period)s has not begun.") % {"period": label})
    return period


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent with one decimal; None when nobody counts."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def month_state(period: Period) -> str:
    """ "open" until the month's standings are judged, then the close's status."""
    status = MonthClose.objects.filter(period=period.label).values_list("status", flat=True)
    status = status.first()
    return "open" if status in (None, CloseStatus.JUDGING) else status


def quota_by_unit(period: Period, policy: Policy, scope: Scope, state: str) -> dict:
    """`{unit id: (learners counted, at quota)}` of one month, exempt learners left out."""
    if state != "open":
        rows = (
            scope.narrow(Standing.objects.filter(period=period.label), "unit_id")
            .values("unit_id")
            .annotate(
                learners=Count("pk", filter=Q(quota_met__isnull=False)),
                met=Count("pk", filter=Q(quota_met=True)),
            )
            .order_by()
        )
        return {row["unit_id"]: (row["learners"], row["met"]) for row in rows}
    required = CoursePolicy.objects.filter(kind=CourseKind.REQUIRED).values("course_key")
    done = (
        CourseCompletion.objects.filter(
            user_id=OuterRef("user_id"),
            course_key__in=required,
            completed_at__gte=period.start_utc,
            completed_at__lt=period.end_utc,
        )
        .values("user_id")
        .annotate(n=Count("course_key", distinct=True))
        .values("n")
    )
    stay = Membership.objects.filter(
        user_id=OuterRef("user_id"), valid_from__lt=period.end_utc
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=period.start_utc))
    quota = policy.quota.required_courses_per_month
    rows = (
        scope.narrow(Person.objects.filter(Exists(stay)), "unit_id")
        .annotate(done=Coalesce(Subquery(done, output_field=IntegerField()), 0))
        .values("unit_id")
        .annotate(learners=Count("pk"), met=Count("pk", filter=Q(done__gte=quota)))
        .order_by()
    )
    return {row["unit_id"]: (row["learners"], row["met"]) for row in rows}


def quota_trend(period: Period, scope: Scope, current: tuple[int, int], state: str) -> list:
    """The share at quota of the 12 months ending with `period`: judged months from their
    standings (one grouped query), the month itself from `current` while it is open."""
    months = months_back(period, TREND_MONTHS)
    rows = (
        scope.narrow(Standing.objects.filter(period__in=[m.label for m in months]), "unit_id")
        .values("period")
        .annotate(
            learners=Count("pk", filter=Q(quota_met__isnull=False)),
            met=Count("pk", filter=Q(quota_met=True)),
        )
        .order_by()
    )
    judged = {row["period"]: (row["learners"], row["met"]) for row in rows}
    trend = []
    for month in months:
        is_open = month.label == period.label and state == "open"
        learners, met = current if is_open else judged.get(month.label, (0, 0))
        trend.append(
            {
                "period": month.label,
                "learners": learners,
                "met": met,
                "share": share(met, learners),
                "open": is_open,
            }
        )
    return trend


def overdue_by_unit(scope: Scope, now: datetime) -> dict[int | None, int]:
    """Tasks due before now, not withdrawn and whose course the learner has not completed."""
    completed = CourseCompletion.objects.filter(
        user_id=OuterRef("user_id"), course_key=OuterRef("course_key")
    )
    rows = (
        scope.narrow(
            Assignment.objects.filter(withdrawn_at__isnull=True, due_at__lt=now), _UNIT_OF_USER
        )
        .exclude(Exists(completed))
        .values(_UNIT_OF_USER)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row[_UNIT_OF_USER]: row["n"] for row in rows}


def sanctions_by_unit(scope: Scope, period: Period, now: datetime) -> dict:
    """`{unit id: {kind: {"active": n, "month": n}}}`: in force now, and of `period`.

    A month's own consequences are imposed when it closes, in the next month: they count for
    the month they judge (by their source, e.g. `quota:2026-11`), every other sanction (a
    sharing suspension, HR's own) for the month it was created in.
    """
    active = Q(lifted_at__isnull=True, starts_at__lte=now) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )
    closing = Q()
    for consequence in RULES:
        closing |= Q(source__startswith=source_of(consequence, ""))
    judged = Q(source__in=[source_of(consequence, period.label) for consequence in RULES])
    created = (
        Q(created_at__gte=period.start_utc, created_at__lt=period.end_utc) & ~closing
    ) | judged
    rows = (
        scope.narrow(Sanction.objects.filter(kind__in=SANCTION_KINDS), _UNIT_OF_USER)
        .filter(active | created)
        .values(_UNIT_OF_USER, "kind")
        .annotate(active=Count("pk", filter=active), month=Count("pk", filter=created))
        .order_by()
    )
    found: dict = {}
    for row in rows:
        unit = found.setdefault(row[_UNIT_OF_USER], {})
        unit[row["kind"]] = {"active": row["active"], "month": row["month"]}
    return found


def queues(scope: Scope) -> dict:
    """What waits for HR: applications, sharing flags, held closes and syncs, reviews, and
    units no training contact covers. Closes and syncs concern everyone, whatever the scope."""
    pending = ReinstatementApplication.objects.filter(status=ApplicationStatus.PENDING)
    flagged = SharingIncident.objects.filter(status=IncidentStatus.FLAGGED)
    feedback = FeedbackItem.objects.filter(state=ItemState.OPEN)
    uncovered = units_without_contact()
    if scope.unit_ids is not None:
        uncovered &= scope.unit_ids
    return {
        "reinstatements": scope.narrow(pending, _UNIT_OF_USER).count(),
        "sharing_flags": scope.narrow(flagged, _UNIT_OF_USER).count(),
        "held_closes": list(
            MonthClose.objects.filter(status=CloseStatus.HELD)
            .order_by("period")
            .values_list("period", flat=True)
        ),
        "held_syncs": RosterSync.objects.filter(status=SyncStatus.HELD).count(),
        "review_queue": ReviewItem.objects.filter(
            state__in=[ReviewState.SUBMITTED, ReviewState.IN_REVIEW]
        ).count(),
        # P-29: requests and feedback waiting for an answer, and those past their due time.
        "feedback_open": scope.narrow(feedback, _UNIT_OF_USER).count(),
        "feedback_late": scope.narrow(late_items(), _UNIT_OF_USER).count(),
        "uncovered_unit_ids": uncovered,
    }


def hours_rows(period: Period, policy: Policy, scope: Scope) -> list[dict]:
    """The hours report's rows, each with its cap in hours: `r / (1 - r) × offline` (P-24)."""
    rows = hours_report(period, policy, unit_code=scope.code)["rows"]
    for row in rows:
        cap = Decimal(row["cap"])
        if cap >= 1:
            row["cap_hours"] = None  # uncapped beside classroom time
        else:
            allowed = row["offline_hours"] * cap / (1 - cap)
            row["cap_hours"] = allowed.quantize(_CENT, rounding=ROUND_HALF_UP)
    return rows


def latest_rankings(scope: Scope) -> list[dict]:
    """The last frozen ranking of each kind with its top entries (within the scope), two
    queries: the rankings, then every shown entry with its learner's name and unit."""
    last = Ranking.objects.filter(kind=OuterRef("kind")).order_by("-ends_at").values("pk")[:1]
    rankings = sorted(
        Ranking.objects.filter(pk=Subquery(last)), key=lambda r: KIND_ORDER.index(r.kind)
    )
    if not rankings:
        return []
    name = Person.objects.filter(user_id=OuterRef("user_id")).values("name")[:1]
    entries = (
        scope.narrow(RankingEntry.objects.filter(ranking__in=rankings), "unit_id")
        .filter(rank__lte=TOP_ENTRIES)
        .annotate(name=Subquery(name))
        .order_by("ranking_id", "rank", "user_id")
        .values("ranking_id", "rank", "credits", "name", "unit__code", "unit__name")
    )
    by_ranking: dict[int, list] = {}
    for entry in entries:
        by_ranking.setdefault(entry["ranking_id"], []).append(entry)
    return [
        {
            "kind": ranking.kind,
            "kind_label": ranking.get_kind_display(),
            "period": ranking.period,
            "frozen_at": ranking.frozen_at,
            "entries": by_ranking.get(ranking.pk, []),
        }
        for ranking in rankings
    ]


def system_health(now: datetime) -> dict:
    """The tick's health report and the kill switch, as the cards show them (P-33, P-34)."""
    from elearn_plugin.killswitch import learning_state  # noqa: PLC0415
    from elearn_plugin.tick.services import health  # noqa: PLC0415

    report = health(now)
    enabled, _resumed = learning_state()
    problems = list(report["problems"])
    if not enabled:
        problems.append("learning_switched_off")
    return {
        "healthy": not problems,
        "problems": problems,
        "last_tick_at": report["last_tick_at"],
        "outbox_backlog": report["outbox"]["backlog"],
        "outbox_given_up": report["outbox"]["given_up"],
        "unclosed_periods": report["unclosed_periods"],
        "audit_verified_at": report["audit"]["verified_at"],
        "audit_problem": report["audit"]["problem"],
        "learning_enabled": enabled,
    }


def unit_rows(period: Period, policy: Policy, scope: Scope, now: datetime) -> dict:
    """The per-unit table and its total: quota, overdue tasks and sanctions of each unit
    with learners or a figure, ordered as the tree is (`Unit.path`)."""
    state = month_state(period)
    quota = quota_by_unit(period, policy, scope, state)
    overdue = overdue_by_unit(scope, now)
    sanctions = sanctions_by_unit(scope, period, now)
    units = scope.narrow(Unit.objects.all(), "pk").values_list("pk", "code", "name", "depth")
    rows, totals = [], {"learners": 0, "met": 0, "overdue": 0}
    kinds = {kind.value: {"active": 0, "month": 0} for kind in SANCTION_KINDS}
    for unit_id in set(quota) | set(overdue) | set(sanctions):
        learners, met = quota.get(unit_id, (0, 0))
        totals["learners"] += learners
        totals["met"] += met
        totals["overdue"] += overdue.get(unit_id, 0)
        for kind, counts in sanctions.get(unit_id, {}).items():
            kinds[kind]["active"] += counts["active"]
            kinds[kind]["month"] += counts["month"]
    for unit_id, code, name, depth in units.order_by("path"):
        learners, met = quota.get(unit_id, (0, 0))
        if not (learners or unit_id in overdue or unit_id in sanctions):
            continue
        held = sanctions.get(unit_id, {})
        rows.append(
            {
                "unit_id": unit_id,
                "unit": code,
                "unit_name": name,
                "depth": depth,
                "learners": learners,
                "met": met,
                "behind": learners - met,
                "share": share(met, learners),
                "overdue": overdue.get(unit_id, 0),
                **{
                    f"{kind.value}_{when}": held.get(kind.value, {}).get(when, 0)
                    for kind in SANCTION_KINDS
                    for when in ("active", "month")
                },
            }
        )
    total = {
        "learners": totals["learners"],
        "met": totals["met"],
        "behind": totals["learners"] - totals["met"],
        "share": share(totals["met"], totals["learners"]),
        "overdue": totals["overdue"],
        **{f"{kind}_{when}": counts[when] for kind, counts in kinds.items() for when in counts},
    }
    return {"state": state, "rows": rows, "total": total}


def figures(period: Period, policy: Policy, scope: Scope, now: datetime) -> dict:
    """Everything the page shows, for one month and scope."""
    units = unit_rows(period, policy, scope, now)
    total = units["total"]
    waiting = queues(scope)
    names = dict(
        Unit.objects.filter(pk__in=waiting["uncovered_unit_ids"]).values_list("code", "name")
    )
    return {
        "period": period.label,
        "state": units["state"],
        "scope": scope,
        "units": units["rows"],
        "total": total,
        "trend": quota_trend(period, scope, (total["learners"], total["met"]), units["state"]),
        "queues": waiting,
        "uncovered": sorted(names.items()),
        "hours": hours_rows(period, policy, scope),
        "rankings": latest_rankings(scope),
        "health": system_health(now),
    }
