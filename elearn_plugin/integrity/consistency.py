"""Month closes and the outbox after a restore: states that their writers never leave.

A month close is written chunk by chunk, each step in one transaction (ADR 0012), so a
consistent copy never has a closed month with a chunk not applied, a standing of a chunk
not judged, or a closed month after one that is not; a dump taken table by table without
one snapshot (or tables restored from different dumps) can. The outbox's sender marks a
row sent once, with the attempt counted and its claim cleared.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef

from elearn_plugin.integrity.report import Problem, Report, count_and_examples
from elearn_plugin.month_close.models import CloseChunk, CloseStatus, MonthClose, Standing
from elearn_plugin.outbox.models import OutboxMessage

# A clock a little ahead on another server is not a restore problem.
CLOCK_SLACK = timedelta(minutes=10)
JUDGED_STATES = (CloseStatus.HELD, CloseStatus.APPLYING, CloseStatus.CLOSED)


def _add(report: Report, check: str, queryset, detail: str = "") -> None:
    count, ids = count_and_examples(queryset)
    report.checked.append(f"{check}:{queryset.model._meta.db_table}")
    if count:
        report.problems.append(Problem(check, queryset.model._meta.db_table, count, ids, detail))


def check_month_closes(report: Report, now: datetime) -> None:
    chunks = CloseChunk.objects
    _add(
        report,
        "close_chunk_not_judged",
        chunks.filter(close__status__in=JUDGED_STATES, judged_at__isnull=True),
        "a close past judging has a chunk never judged",
    )
    _add(
        report,
        "close_chunk_not_applied",
        chunks.filter(close__status=CloseStatus.CLOSED, applied_at__isnull=True),
        "a closed month has a chunk never applied",
    )
    _add(
        report,
        "close_chunk_count",
        MonthClose.objects.annotate(found=Count("chunks")).exclude(chunk_count=F("found")),
        "the chunk plan and the chunk rows differ",
    )
    _add(
        report,
        "standing_period",
        Standing.objects.exclude(period=F("close__period")),
        "a standing's month is not its close's",
    )
    unjudged = CloseChunk.objects.filter(
        close_id=OuterRef("close_id"),
        first_user_id__lte=OuterRef("user_id"),
        last_user_id__gte=OuterRef("user_id"),
        judged_at__isnull=True,
    )
    _add(
        report,
        "standing_of_unjudged_chunk",
        Standing.objects.filter(Exists(unjudged)),
        "standings are written with their chunk's judging",
    )
    _check_order(report, now)


def _check_order(report: Report, now: datetime) -> None:
    """Months are closed in order without gaps since the policy's start, none in the future;
    a close still judging must find the policy file it began under."""
    from elearn_plugin.policy.runtime import file_digest, get_policy  # noqa: PLC0415
    from elearn_plugin.rules.periods import closed_months_between  # noqa: PLC0415

    table = MonthClose._meta.db_table
    try:
        policy = get_policy()
        digest = file_digest()
    except Exception as exc:  # noqa: BLE001 - a missing or broken policy file is the finding
        report.problems.append(
            Problem(
                "policy_file", "-", 0, (), f"the policy file cannot be read ({type(exc).__name__})"
            )
        )
        return
    report.checked.append(f"close_order:{table}")
    ended = [
        p.label
        for p in closed_months_between(None, now, policy.tz, not_before=policy.effective_from)
    ]
    closes = dict(MonthClose.objects.values_list("period", "pk"))
    closed = set(
        MonthClose.objects.filter(status=CloseStatus.CLOSED).values_list("period", flat=True)
    )
    first_open = next((label for label in ended if label not in closed), None)
    if first_open is not None:
        after = [label for label in ended if label > first_open and label in closed]
        if after:
            report.problems.append(
                Problem(
                    "close_order",
                    table,
                    len(after),
                    tuple(closes[label] for label in after[:5]),
                    f"{first_open} is not closed but later months are",
                )
            )
    last_ended = ended[-1] if ended else ""
    future = sorted(label for label in closes if label > last_ended and last_ended)
    if future:
        report.problems.append(
            Problem(
                "close_of_unended_month",
                table,
                len(future),
                tuple(closes[label] for label in future[:5]),
                "a close exists for a month that has not ended",
            )
        )
    _add(
        report,
        "close_policy_file",
        MonthClose.objects.filter(status=CloseStatus.JUDGING).exclude(policy_hash=digest),
        "a close still judging began under another policy file: restore that file",
    )


def check_outbox(report: Report, now: datetime) -> None:
    from elearn_plugin.outbox.messages import MESSAGE_TYPES  # noqa: PLC0415

    rows = OutboxMessage.objects
    sent = rows.filter(sent_at__isnull=False)
    _add(report, "outbox_unknown_type", rows.exclude(message_type__in=sorted(MESSAGE_TYPES)))
    _add(report, "outbox_sent_claimed", sent.exclude(claim=""), "a sent row still claimed")
    _add(report, "outbox_sent_unattempted", sent.filter(attempts=0), "sent with no attempt")
    _add(report, "outbox_sent_before_created", sent.filter(sent_at__lt=F("created_at")))
    _add(report, "outbox_sent_in_future", sent.filter(sent_at__gt=now + CLOCK_SLACK))
