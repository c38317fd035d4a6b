"""The periodic judging of contributions (P-12: the best ones are rewarded): the only writer
of awards. A round (e.g. "2026-Q4") is judged once, in one transaction: the ratings and
ranks of approved contributions, each winner's reward points through the ledger (keyed by
round and contribution, so nothing is paid twice) or a prize recorded, the audit events and
the winners' mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin import audit
from elearn_plugin.contributions.models import Contribution, ContributionAward
from elearn_plugin.outbox.services import OutboxRow, enqueue_bulk
from elearn_plugin.review.models import ReviewState

ROUND = re.compile(r"^[0-9]{4}(-[A-Za-z0-9]{1,8})?$")
MAX_AWARDS = 50


class AwardError(ValueError):
    """The judging cannot be recorded; nothing changed."""


@dataclass(frozen=True)
class AwardSpec:
    contribution_id: int
    rating: int
    points: Decimal = Decimal("0")
    prize: str = ""


def _clean(spec: AwardSpec) -> AwardSpec:
    if (
        not isinstance(spec.rating, int)
        or isinstance(spec.rating, bool)
        or not 1 <= spec.rating <= 5
    ):
        raise AwardError(_("A rating is a whole number from 1 to 5."))
    try:
        points = Decimal(str(spec.points))
    except InvalidOperation:
        raise AwardError(_("Reward points must be a number.")) from None
    if points < 0 or points > 10000:
        raise AwardError(_("Reward points must be between 0 and 10000."))
    prize = spec.prize.strip() if isinstance(spec.prize, str) else ""
    if len(prize) > 200:
        raise AwardError(_("Describe the prize in at most 200 characters."))
    if points == 0 and not prize:
        raise AwardError(_("Each winner gets points or a prize."))
    return AwardSpec(spec.contribution_id, spec.rating, points, prize)


def judge_round(round_name: str, specs: list[AwardSpec], *, actor) -> list[ContributionAward]:
    """Record one judging; winners ranked by rating (ties keep the order given)."""
    who = audit.resolve(actor)
    if not isinstance(round_name, str) or not ROUND.match(round_name.strip()):
        raise AwardError(_("Name the judging like 2026 or 2026-Q4."))
    round_name = round_name.strip()
    if not specs or len(specs) > MAX_AWARDS:
        raise AwardError(_("Choose from 1 to 50 contributions to reward."))
    clean = [_clean(s) for s in specs]
    ids = [s.contribution_id for s in clean]
    if len(set(ids)) != len(ids):
        raise AwardError(_("A contribution is rewarded once per judging."))
    with transaction.atomic():
        if ContributionAward.objects.filter(round=round_name).exists():
            raise AwardError(_("This judging has been recorded already."))
        found = {
            c.pk: c
            for c in Contribution.objects.filter(
                pk__in=ids, review__state=ReviewState.APPROVED
            ).select_related("review")
        }
        if len(found) != len(ids):
            raise AwardError(_("Only approved contributions can be rewarded."))
        ranked = sorted(clean, key=lambda s: -s.rating)
        now = timezone.now()
        awards = ContributionAward.objects.bulk_create(
            [
                ContributionAward(
                    round=round_name,
                    contribution_id=s.contribution_id,
                    rating=s.rating,
                    rank=rank,
                    points=s.points,
                    prize=s.prize,
                    judged_by_id=who.user_id,
                    created_at=now,
                )
                for rank, s in enumerate(ranked, start=1)
            ]
        )
        awards = list(ContributionAward.objects.filter(round=round_name).order_by("rank"))
        _pay(awards, found, who, now)
        audit.record_bulk(
            who,
            "contribution.awarded",
            [(a, {"contribution_id": a.contribution_id, "rank_count": a.rank}) for a in awards],
        )
        enqueue_bulk(
            [
                OutboxRow(
                    key=f"award:{a.pk}",
                    message_type="contribution_awarded",
                    user_id=found[a.contribution_id].user_id,
                    context={
                        "title": found[a.contribution_id].title,
                        "round": round_name,
                        "rank": a.rank,
                        "points": str(a.points),
                        "prize": a.prize,
                    },
                )
                for a in awards
            ]
        )
    return awards


def _pay(awards, found, who, now) -> None:
    from elearn_plugin.ledger.services import LedgerEntrySpec, add_entries_bulk  # noqa: PLC0415

    entries = [
        LedgerEntrySpec(
            found[a.contribution_id].user_id,
            "points",
            a.points,
            f"award:{a.round}:{a.contribution_id}",
            now,
            "",
        )
        for a in awards
        if a.points > 0
    ]
    if entries:
        add_entries_bulk(entries, actor=who)
