"""`{% load elearn_l10n %}` then `{{ value|local_datetime }}`: see `elearn_plugin.l10n`."""

from django import template

from elearn_plugin.l10n import format_datetime

register = template.Library()


@register.filter
def local_datetime(value):
    """A date-time in the learner's language (zh-cn too) and the policy's time zone."""
    return format_datetime(value)
