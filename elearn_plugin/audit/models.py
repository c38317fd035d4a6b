"""Models of the audit domain: the trail of consequential changes and its chain state.

Only `elearn_plugin.audit` writes these rows: `services` inserts events in the change's
transaction, `chain` seals and verifies them afterwards.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One consequential change: who (actor), what (verb), to what (target), with which ids.

    .. pii: The acting user's id and the target's id. No name, e-mail or free text: `data` is
       checked against a per-verb allow-list of ids and codes.
    .. pii_types: id
    .. pii_retirement: retained
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    # A plain id, not a foreign key: the trail outlives the account it names.
    actor_user_id = models.PositiveBigIntegerField(_("acting user id"), null=True, blank=True)
    actor_system = models.CharField(_("system principal"), max_length=64, blank=True, default="")
    verb = models.CharField(_("verb"), max_length=64)
    # `app_label.model:pk`, e.g. `elearn_plugin.sanction:17` or `auth.user:42`.
    target = models.CharField(_("target"), max_length=160)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # Set by the sealer after commit: the place in the chain, the key's id and the HMAC.
    seq = models.PositiveBigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    key_id = models.CharField(_("key id"), max_length=16, blank=True, default="")
    mac = models.CharField(_("seal"), max_length=64, blank=True, default="")

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["target", "occurred_at"], name="elearn_audit_target"),
            models.Index(fields=["actor_user_id", "occurred_at"], name="elearn_audit_actor"),
            models.Index(fields=["verb", "occurred_at"], name="elearn_audit_verb"),
        ]

    def __str__(self) -> str:
        actor = f"user {self.actor_user_id}" if self.actor_user_id else self.actor_system
        return f"{self.verb} {self.target} by {actor}"


class AuditChain(models.Model):
    """The chain's head and how far it was verified (one row, `name="main"`).

    .. no_pii: Positions, seals and times only.
    """

    name = models.CharField(max_length=16, unique=True, default="main")
    sealed_seq = models.PositiveBigIntegerField(default=0)
    sealed_mac = models.CharField(max_length=64, blank=True, default="")
    verified_seq = models.PositiveBigIntegerField(default=0)
    verified_mac = models.CharField(max_length=64, blank=True, default="")
    verified_at = models.DateTimeField(null=True, blank=True)
    full_verified_at = models.DateTimeField(null=True, blank=True)
    # The first broken row found, until a verification passes again.
    problem = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chain")

    def __str__(self) -> str:
        return f"audit chain {self.name} (sealed to {self.sealed_seq})"
