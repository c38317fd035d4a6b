"""The standing domain's periodic job: revoke OAuth2 tokens of blocks that have begun (P-8).

Imposing a block revokes the learner's tokens when the transaction commits. This job covers
what that cannot: a block imposed to start later (tokens issued before it starts), a
revocation that failed after the commit, and blocks recorded before the plugin revoked
tokens at all (its first run takes every active block). It is catch-up safe: each run takes
the active blocks that started, or were recorded, after the previous successful run (less an
overlap, for rows committed late or imposed with a past start) and up to `now`. A blocked
learner holds no tokens, so taking a block twice deletes nothing the second time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from elearn_plugin.host.tokens import get_token_adapter
from elearn_plugin.standing.models import Sanction
from elearn_plugin.standing.services import BLOCKING_KINDS
from elearn_plugin.tick.registry import register_job

JOB_NAME = "standing.revoke_tokens"
# A sanction's times are set before its transaction commits; a tick in between must not
# leave it behind.
OVERLAP = timedelta(hours=1)


def _previous_through() -> datetime | None:
    """The `through` of the last successful run (a failed run leaves the summary as it was)."""
    from elearn_plugin.tick.models import JobState  # noqa: PLC0415

    summary = JobState.objects.filter(name=JOB_NAME).values_list("last_summary", flat=True).first()
    value = (summary or {}).get("through") if isinstance(summary, dict) else None
    return parse_datetime(value) if isinstance(value, str) else None


@register_job(JOB_NAME)
def revoke_tokens_job(now: datetime) -> dict:
    """Revoke the tokens of learners whose block began (or was recorded) since the last run."""
    since = _previous_through()
    begun = Sanction.objects.filter(
        kind__in=BLOCKING_KINDS, lifted_at__isnull=True, starts_at__lte=now
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    if since is not None:
        after = since - OVERLAP
        begun = begun.filter(Q(starts_at__gt=after) | Q(created_at__gt=after))
    user_ids = sorted(set(begun.values_list("user_id", flat=True)))
    deleted = get_token_adapter().revoke_for_users(user_ids)
    return {"through": now.isoformat(), "learners": len(user_ids), "tokens_deleted": deleted}
