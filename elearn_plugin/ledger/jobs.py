"""The ledger's tick job: build the running credit totals in the policy's zone (ADR 0014).

Runs when the totals were never built (a new install, or one upgraded from before them) or
were built in another zone than the policy's now; otherwise it does nothing. The build is
one transaction, so a tick that dies half-way leaves the old totals, and the next one builds.
"""

from __future__ import annotations

from datetime import datetime

from elearn_plugin.ledger.totals import build, built_zone, zone_name
from elearn_plugin.tick.registry import register_health_problems, register_job

JOB_NAME = "ledger.totals"


@register_job(JOB_NAME)
def build_credit_totals(now: datetime) -> dict:
    """Build the totals when their zone is not the policy's."""
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    zone = zone_name(get_policy().tz)
    if built_zone() == zone:
        return {"built": False, "zone": zone}
    return {"built": True, "zone": zone, "rows": build(zone)}


@register_health_problems
def totals_not_built(now: datetime) -> list[str]:
    """`credit_totals_not_built` until the tick has built them in the policy's zone: the
    rankings are right meanwhile, only slower (they group the ledger)."""
    from elearn_plugin.policy.runtime import PolicyNotConfigured, get_policy  # noqa: PLC0415

    try:
        zone = zone_name(get_policy().tz)
    except PolicyNotConfigured:
        return []  # the health report names the policy's own problem
    return [] if built_zone() == zone else ["credit_totals_not_built"]
