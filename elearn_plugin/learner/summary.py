"""The learner's month and archive, read for one learner with a fixed number of queries.

Every figure comes from the records the services wrote: completions of required courses
against the quota (P-16, P-21), open tasks and their due dates (P-14, P-22), the current
block with its reason and end (P-8), credits and points in the ledger (P-20, P-12), frozen
rankings (P-25), closed months (P-21..P-23), and learning time (P-26).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from elearn_plugin.courses.models import Assignment, CourseCompletion, CourseKind, CoursePolicy
from elearn_plugin.gate import format_end, reason_text
from elearn_plugin.learning.models import LearningActivity
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.ledger.services import totals
from elearn_plugin.month_close.models import Standing
from elearn_plugin.rankings.models import RankingEntry
from elearn_plugin.rules.periods import month_of, period_of
from elearn_plugin.standing.blocks import active_block

MAX_TASKS = 20
PAGE_SIZE = 50


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _amount(value) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.01")))


def _titles(keys) -> dict[str, str]:
    return dict(
        CoursePolicy.objects.filter(course_key__in=set(keys)).values_list("course_key", "title")
    )


def points_of(user_id: int) -> Decimal:
    """Every contribution point the learner earned (P-12): points have no period."""
    total = LedgerEntry.objects.filter(user_id=user_id, kind="points").aggregate(s=Sum("amount"))
    return total["s"] or Decimal("0")


def month_summary(user_id: int, policy, now: datetime | None = None) -> dict:
    """This month for one learner, as the widget and the video's line show it."""
    now = now or timezone.now()
    month, year = month_of(now, policy.tz), period_of("year", now, policy.tz)
    required = CoursePolicy.objects.filter(kind=CourseKind.REQUIRED).values("course_key")
    completed = (
        CourseCompletion.objects.filter(
            user_id=user_id,
            course_key__in=required,
            completed_at__gte=month.start_utc,
            completed_at__lt=month.end_utc,
        )
        .values("course_key")
        .distinct()
        .count()
    )
    done = CourseCompletion.objects.filter(user_id=user_id).values("course_key")
    tasks = list(
        Assignment.objects.filter(user_id=user_id, withdrawn_at__isnull=True)
        .exclude(course_key__in=done)
        .order_by("due_at", "course_key")
        .values_list("course_key", "due_at")[:MAX_TASKS]
    )
    titles = _titles(key for key, _due in tasks)
    block = active_block(user_id, now)
    last = Standing.objects.filter(user_id=user_id).order_by("-period").first()
    ranks = (
        RankingEntry.objects.filter(user_id=user_id)
        .select_related("ranking")
        .order_by("-ranking__ends_at")[:4]
    )
    return {
        "period": month.label,
        "timezone": month.timezone,
        "quota": {
            "required": policy.quota.required_courses_per_month,
            "completed": completed,
            "met": completed >= policy.quota.required_courses_per_month,
        },
        "tasks": [
            {
                "course_key": key,
                "title": titles.get(key, key),
                "due_at": _iso(due),
                "overdue": due < now,
            }
            for key, due in tasks
        ],
        "block": (
            {
                "kind": block.kind,
                "reason": reason_text(block),
                "ends_at": _iso(block.ends_at),
                "ends": format_end(block.ends_at) if block.ends_at else None,
            }
            if block
            else None
        ),
        "credits": {
            "month": _amount(
                totals("credit", month.start_utc, month.end_utc, [user_id]).get(user_id)
            ),
            "year": _amount(totals("credit", year.start_utc, year.end_utc, [user_id]).get(user_id)),
        },
        "points": _amount(points_of(user_id)),
        "ranks": [
            {"period": e.ranking.period, "rank": e.rank, "credits": _amount(e.credits)}
            for e in ranks
        ],
        "last_month": (
            {
                "period": last.period,
                "required_completed": last.required_completed,
                "quota": last.quota,
                "quota_met": last.quota_met,
                "missed_tasks": last.missed_tasks,
                "consequences": list(last.consequences or []),
            }
            if last
            else None
        ),
    }


def archive_page(user_id: int, page: int) -> dict:
    """One page of the learner's archive: courses completed, learning time, months closed."""
    page = max(1, page)
    start, end = (page - 1) * PAGE_SIZE, page * PAGE_SIZE
    completions = list(
        CourseCompletion.objects.filter(user_id=user_id)
        .order_by("-completed_at", "course_key")
        .values_list("course_key", "completed_at", "source")[start : end + 1]
    )
    activities = list(
        LearningActivity.objects.filter(user_id=user_id)
        .order_by("-started_at", "pk")
        .values_list("kind", "course_key", "started_at", "seconds", "classification")[
            start : end + 1
        ]
    )
    credits = dict(
        LedgerEntry.objects.filter(
            user_id=user_id,
            kind="credit",
            course_key__in=[key for key, _at, _src in completions],
        )
        .values("course_key")
        .annotate(total=Sum("amount"))
        .values_list("course_key", "total")
    )
    titles = _titles([k for k, _a, _s in completions] + [a[1] for a in activities if a[1]])
    months = list(
        Standing.objects.filter(user_id=user_id)
        .order_by("-period")
        .values_list("period", "required_completed", "quota_met", "missed_tasks", "consequences")[
            start : end + 1
        ]
    )
    return {
        "page": page,
        "has_more": len(completions) > PAGE_SIZE
        or len(activities) > PAGE_SIZE
        or len(months) > PAGE_SIZE,
        "courses": [
            {
                "course_key": key,
                "title": titles.get(key, key),
                "completed_at": _iso(at),
                "source": source,
                "credits": _amount(credits.get(key)),
            }
            for key, at, source in completions[:PAGE_SIZE]
        ],
        "learning": [
            {
                "kind": kind,
                "course_key": course_key,
                "title": titles.get(course_key, course_key),
                "started_at": _iso(started),
                "seconds": seconds,
                "classification": classification,
            }
            for kind, course_key, started, seconds, classification in activities[:PAGE_SIZE]
        ],
        "months": [
            {
                "period": period,
                "required_completed": required,
                "quota_met": met,
                "missed_tasks": missed,
                "consequences": list(consequences or []),
            }
            for period, required, met, missed, consequences in months[:PAGE_SIZE]
        ],
    }
