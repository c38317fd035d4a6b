"""HR's roster sync in the admin: upload HR's roster file, read what it would change, apply
it, or confirm a sync the guard holds (P-2, P-6, P-7, P-31).

The file is read and checked on upload and a dry run shows the changes; nothing is applied
until HR presses Apply (or Confirm, when the guard holds). The uploaded bytes wait in the
cache under their digest for half an hour, so the page never carries the roster itself.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn_plugin.admin_base import RecordsAdmin, in_policy_zone
from elearn_plugin.permissions import ANY, Action, check
from elearn_plugin.roster import summary
from elearn_plugin.roster.models import RosterSync

TEMPLATE = "elearn_plugin/admin/roster_sync.html"
KEPT_SECONDS = 1800
MAX_BYTES = 50 * 1024 * 1024


class UploadForm(forms.Form):
    roster = forms.FileField(
        label=gettext_lazy("HR's roster (CSV)"),
        help_text=gettext_lazy("The columns are described in docs/data-format.md."),
    )


def _key(digest: str) -> str:
    return f"elearn:roster-upload:{digest}"


@admin.register(RosterSync)
class RosterSyncAdmin(RecordsAdmin):
    list_display = ("created_at", "status", "source", "roster_count", "departure_count", "reason")
    list_filter = ("status",)
    change_list_template = "elearn_plugin/admin/roster_sync_changelist.html"

    def get_urls(self):
        own = [
            path(
                "sync/",
                self.admin_site.admin_view(self.sync_view),
                name="elearn_plugin_rostersync_sync",
            )
        ]
        return own + super().get_urls()

    @in_policy_zone
    def sync_view(self, request):
        if not check(request.user, Action.MANAGE_LIFECYCLE, ANY):
            raise PermissionDenied
        from elearn_plugin.roster.services import RosterApplyError, sync_roster  # noqa: PLC0415
        from elearn_plugin.roster.sources import RosterSourceError, read_csv  # noqa: PLC0415

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Sync with HR's roster"),
        }
        form = UploadForm()
        try:
            if request.method == "POST" and "digest" in request.POST:
                data = cache.get(_key(request.POST["digest"]))
                if data is None:
                    self.message_user(
                        request, _("The uploaded roster expired; upload it again."), messages.ERROR
                    )
                    return HttpResponseRedirect(request.path)
                report = sync_roster(
                    read_csv(data), confirm="confirm" in request.POST, actor=request.user
                )
                cache.delete(_key(request.POST["digest"]))
                return self._done(request, report)
            if request.method == "POST":
                form = UploadForm(request.POST, request.FILES)
                if form.is_valid():
                    data = form.cleaned_data["roster"].read(MAX_BYTES + 1)
                    if len(data) > MAX_BYTES:
                        raise RosterSourceError(_("The file is larger than 50 MB."))
                    report = sync_roster(read_csv(data), dry_run=True, actor=request.user)
                    digest = hashlib.sha256(data).hexdigest()
                    cache.set(_key(digest), data, KEPT_SECONDS)
                    context.update(
                        report=report,
                        kinds=summary.kinds(report),
                        reason=summary.reason_text(report.reason) if report.reason else "",
                        digest=digest,
                    )
        except (RosterSourceError, RosterApplyError) as exc:
            context["problems"] = [str(p) for p in getattr(exc, "problems", None) or []]
            self.message_user(request, str(exc), messages.ERROR)
        context["form"] = form
        return TemplateResponse(request, TEMPLATE, context)

    def _done(self, request, report):
        if report.status == "held":
            self.message_user(
                request,
                _("Held for confirmation ({reason}): nothing was changed.").format(
                    reason=summary.reason_text(report.reason)
                ),
                messages.WARNING,
            )
        elif report.status == "nothing":
            self.message_user(request, _("Nothing to do: the people match the roster."))
        else:
            counts = report.counts
            self.message_user(
                request,
                _(
                    "Applied: {hires} hires, {transfers} transfers, {departures} departures, "
                    "{roles} role changes, {returns} returns."
                ).format(
                    hires=counts["hire_count"],
                    transfers=counts["transfer_count"],
                    departures=counts["departure_count"],
                    roles=counts["role_change_count"],
                    returns=counts["return_count"],
                ),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:elearn_plugin_rostersync_changelist"))
