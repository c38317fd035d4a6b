"""The compact month line the tracked video shows under the player (P-19): the mobile apps
show no dashboard micro-frontend, but they render the video's view, so a learner on a phone
sees the same month as on the dashboard, from the same summary."""

from __future__ import annotations

from django.utils.translation import gettext as _

_REQUEST_ATTRIBUTE = "_elearn_month_line"


def month_line(user, request=None) -> str:
    """ "November: 1 of 2 required courses · next: Ethics by 2026-11-30 · 2.00 credits", once
    per request (a unit of several videos reads the summary once); "" without a learner."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    cached = getattr(request, _REQUEST_ATTRIBUTE, None) if request is not None else None
    if cached is not None:
        return cached
    from elearn_plugin.learner.summary import month_summary  # noqa: PLC0415
    from elearn_plugin.policy.runtime import PolicyNotConfigured, get_policy  # noqa: PLC0415

    try:
        summary = month_summary(user.pk, get_policy())
    except PolicyNotConfigured:
        return ""
    quota = summary["quota"]
    parts = [
        _("%(period)s: %(done)s of %(required)s required courses")
        % {"period": summary["period"], "done": quota["completed"], "required": quota["required"]}
    ]
    if summary["tasks"]:
        task = summary["tasks"][0]
        parts.append(
            _("next: %(title)s by %(due)s") % {"title": task["title"], "due": task["due_at"][:10]}
        )
    parts.append(_("%(credits)s credits") % {"credits": summary["credits"]["month"]})
    line = " · ".join(parts)
    if request is not None:
        setattr(request, _REQUEST_ATTRIBUTE, line)
    return line
