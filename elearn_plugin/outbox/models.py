"""Models of the outbox domain: messages written in the decision's transaction (DESIGN inv. 3).

Rows are written by `elearn_plugin.outbox.services` and marked by `elearn_plugin.outbox.sender`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One message to one user; `key` is its natural key, so a replayed decision adds nothing.

    .. pii: The recipient's user id; the context holds what the message shows (a name,
       course titles).
    .. pii_types: id, name
    .. pii_retirement: local_api
    """

    key = models.CharField(max_length=255, unique=True)
    message_type = models.CharField(_("message type"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="elearn_outbox"
    )
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True, default="")
    # Set by the sender that claimed the row for delivery; cleared when it finishes.
    claim = models.CharField(max_length=36, blank=True, default="", editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["sent_at", "next_attempt_at"], name="elearn_outbox_due"),
            models.Index(fields=["claim"], name="elearn_outbox_claim"),
        ]

    def __str__(self) -> str:
        return self.key
