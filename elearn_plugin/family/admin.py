"""HR's list of family links (P-35): who has links, when each was viewed, revoke. A link for
a learner is issued on the learner's page of links (`family/learner/<id>/`), linked from each
row, since the token can be shown only once, when it is made."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import RecordsAdmin
from elearn_plugin.family import services
from elearn_plugin.family.models import FamilyLink
from elearn_plugin.permissions import ANY, Action, check


@admin.action(description=gettext_lazy("Revoke the selected links"))
def revoke_links(modeladmin, request, queryset):
    if not check(request.user, Action.FAMILY_LINKS, ANY) or not check(
        request.user, Action.VIEW_ALL_RECORDS, ANY
    ):
        modeladmin.message_user(request, _("Only HR may revoke family links."), messages.ERROR)
        return
    done = 0
    for pk in queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True)[:500]:
        done += services.revoke(pk, actor=request.user)
    modeladmin.message_user(
        request, _("%(count)s links revoked.") % {"count": done}, messages.SUCCESS
    )


@admin.register(FamilyLink)
class FamilyLinkAdmin(RecordsAdmin):
    list_display = (
        "id",
        "user",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_viewed_at",
        "view_count",
        "links_page",
    )
    list_filter = ("revoked_at",)
    search_fields = ("user__username",)
    readonly_fields = (
        "user",
        "issued_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_viewed_at",
        "view_count",
    )
    fields = readonly_fields
    actions = (revoke_links,)
    ordering = ("-created_at",)
    list_select_related = ("user",)

    @admin.display(description=gettext_lazy("links of the learner"))
    def links_page(self, obj: FamilyLink) -> str:
        # A template renders the link, so everything in it is escaped.
        url = reverse("elearn:family-learner-links", kwargs={"user_id": obj.user_id})
        return render_to_string("elearn_plugin/fragments/family_admin_link.html", {"url": url})

    def get_actions(self, request):
        # Revoking is HR's; the read-only base would otherwise hide every action.
        actions = super().get_actions(request)
        if not check(request.user, Action.FAMILY_LINKS, ANY):
            return {}
        return actions
