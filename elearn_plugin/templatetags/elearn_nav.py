"""`{% elearn_nav %}`: the plugin's pages a signed-in user may open, in the page header.

The links follow the user's roles (`permissions.roles_of`, cached for the request), so a
learner sees their own pages, a training contact also their units, HR also the dashboard,
the inbox and the instructor archive; every page still checks its own permission.
"""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from elearn_plugin.permissions import Role, roles_of

register = template.Library()


def links_for(user) -> list[tuple[str, str]]:
    """`(label, url)` of the pages `user` may open, in the order the header shows them."""
    roles = roles_of(user)
    if not roles:
        return []
    wanted = [(_("My training"), "elearn:my-training"), (_("Feedback"), "elearn:feedback")]
    if Role.TRAINING_CONTACT in roles or Role.HR in roles:
        wanted.append((_("Units"), "elearn:staff-units"))
    if Role.HR in roles:
        wanted += [
            (_("Compliance"), "elearn:staff-dashboard"),
            (_("Inbox"), "elearn:feedback-inbox"),
            (_("Instructors"), "elearn:teaching-instructors"),
        ]
    links = []
    for label, name in wanted:
        try:
            links.append((label, reverse(name)))
        except NoReverseMatch:  # a site that mounts the plugin's URLs elsewhere or not at all
            continue
    return links


@register.inclusion_tag("elearn_plugin/fragments/nav.html", takes_context=True)
def elearn_nav(context) -> dict:
    # A RequestContext carries the request whatever context processors the site runs.
    request = getattr(context, "request", None) or context.get("request")
    user = getattr(request, "user", None)
    here = getattr(request, "path", "")
    return {"links": [(label, url, url == here) for label, url in links_for(user)]}
