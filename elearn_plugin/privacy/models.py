"""What the privacy notice records: who acknowledged which version, and when (P-32)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeAcknowledgement(models.Model):
    """A learner read and acknowledged one version of the privacy notice. A new version
    (another notice or other retention periods) has no row yet, so the notice shows again.

    .. pii: The learner's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.CharField(_("notice version"), max_length=32)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("privacy notice acknowledgement")
        verbose_name_plural = _("privacy notice acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="elearn_privacy_ack_uniq")
        ]

    def __str__(self) -> str:
        return f"privacy notice {self.version} acknowledged"
