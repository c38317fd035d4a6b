"""The links of the family view (P-35)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FamilyLink(models.Model):
    """A link that shows one learner's progress and standing to a family member (P-35).

    Only the token's SHA-256 is stored: the token exists in the address handed to the family
    alone, so nobody reading the database (HR included) can open the report as someone else.
    No viewer's address or device is kept: a view is counted, timed and audited, nothing more.
    Retirement revokes the learner's links.

    .. pii: The learner's user id, the id of who issued or revoked the link, when it was viewed.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_viewed_at = models.DateTimeField(_("last viewed at"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        indexes = [models.Index(fields=["user", "created_at"], name="elearn_family_link_user")]

    def __str__(self) -> str:
        return f"family link {self.pk}"

    def works_at(self, now) -> bool:
        """Neither revoked nor expired at `now` (the learner's standing is checked apart)."""
        return self.revoked_at is None and self.expires_at > now
