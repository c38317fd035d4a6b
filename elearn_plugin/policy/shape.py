"""The shape of the policy file: which sections hold which keys.

Pure module (no Django).
"""

from __future__ import annotations

from typing import Any

SUPPORTED_VERSIONS = (1,)

# A section maps to its keys, a leaf to None.
SPEC: dict[str, Any] = {
    "version": None,
    "effective_from": None,
    "timezone": None,
    "quota": {"required_courses_per_month": None, "reminder_email": None},
    "missed_tasks": {"per_month_to_suspend": None, "suspension_days": None},
    "revocation": {"months_with_misses": None, "window_months": None},
    "sharing": {"action": None, "suspension_days": None, "incident_window_hours": None},
    "online_hours_cap": {"unit_level": None, "default_share": None, "travel_heavy_share": None},
    "rankings": {
        "top_n": None,
        "periods": None,
        "quota_met_only": None,
        "ties": None,
        "exempt_months": None,
        "exclude_blocked": None,
    },
    "credits": {"default_per_course": None, "points_per_contribution": None},
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
    "completion": {"without_tracked_videos": None, "builtin_videos": None},
    "assignments": {
        "electives_are_tasks": None,
        "elective_target_days": None,
        "reminder_days_before": None,
        "rules": None,
    },
    "month_close": {
        "hired_mid_month": None,
        "left_mid_month": None,
        "blocked_days": None,
        "shift_due_in_block": None,
        "quota_capped_by_assignable": None,
        "guard": {"share": None, "min_count": None},
    },
    "roster": {"max_departure_share": None, "min_departures_held": None},
    "privacy": {
        "notice_revision": None,
        "retention_days": {"ip_addresses": None, "watch_timing": None},
    },
}
# The keys of each item of learning_windows.slots.
SLOT_KEYS = ("weekday", "week", "start", "end")
# The keys of each item of assignments.rules; exactly one of RULE_DUE_KEYS is written.
RULE_KEYS = ("role", "courses", "due_days", "due_on")
RULE_DUE_KEYS = ("due_days", "due_on")


def keys_at(key: str) -> dict[str, Any]:
    """The keys of the section at a dotted key (`calendar.big_week`)."""
    spec: Any = SPEC
    for part in key.split("."):
        spec = spec[part]
    return spec


def policy_keys() -> tuple[str, ...]:
    """Every leaf key of the policy file, dotted (`calendar.big_week.anchor`)."""

    def walk(spec: dict[str, Any], prefix: str) -> list[str]:
        keys: list[str] = []
        for name, sub in spec.items():
            dotted = f"{prefix}{name}"
            keys.extend(walk(sub, dotted + ".") if sub else [dotted])
        return keys

    keys = walk(SPEC, "")
    keys.extend(f"learning_windows.slots[].{name}" for name in SLOT_KEYS)
    # The items of assignments.rules are not listed: the default file ships no rule (every
    # site has its own job roles), and this tuple is what the default file shows. Their keys
    # are RULE_KEYS, documented in docs/configuration.md under the `assignments.rules` row.
    return tuple(keys)
