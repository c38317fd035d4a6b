"""Models of the org domain: the unit tree, people, their unit history and training contacts.

Rows are written only by `elearn_plugin.org.services` and `elearn_plugin.org.provisioning`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PATH_MAX_LENGTH = 255


class Unit(models.Model):
    """A department or subsidiary; `path` ('/1/5/9/') makes a subtree one indexed prefix query.

    .. no_pii: Codes and names of departments.
    """

    DEPARTMENT = "department"
    SUBSIDIARY = "subsidiary"
    KIND_CHOICES = [(DEPARTMENT, _("Department")), (SUBSIDIARY, _("Subsidiary"))]

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES, default=DEPARTMENT)
    travel_heavy = models.BooleanField(
        _("travel-heavy or large"),
        default=False,
        help_text=_("Online hours may make up a larger share of this unit's training hours."),
    )
    path = models.CharField(max_length=PATH_MAX_LENGTH, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JobRole(models.Model):
    """A job role; required courses are assigned by role (P-14).

    .. no_pii: Codes and names of job roles.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("job role")
        verbose_name_plural = _("job roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Person(models.Model):
    """An employee or student with an account; `unit` is the current unit (P-1).

    .. pii: The employee id and the person's name from HR's records, and the user id.
    .. pii_types: id, name
    .. pii_retirement: local_api
    """

    ACTIVE = "active"
    DEPARTED = "departed"
    STATUS_CHOICES = [(ACTIVE, _("Active")), (DEPARTED, _("Departed"))]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="elearn_person",
    )
    employee_id = models.CharField(_("employee ID"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    job_role = models.ForeignKey(
        JobRole,
        verbose_name=_("job role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    status = models.CharField(_("status"), max_length=16, choices=STATUS_CHOICES, default=ACTIVE)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # HR's dates, from the data file or the lifecycle: history is judged from these.
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["employee_id"]

    def __str__(self) -> str:
        return self.employee_id


class Membership(models.Model):
    """One stay of a learner in a unit, `[valid_from, valid_to)`; the open one has no end.

    `open_flag` is True while open and NULL once closed: the unique constraint on
    (user, open_flag) then allows one open row per user on every database, MySQL included,
    where a conditional unique constraint would be silently ignored.

    .. pii: The learner's user id and their units over time.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="elearn_memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    valid_from = models.DateTimeField(_("from"))
    valid_to = models.DateTimeField(_("until"), null=True, blank=True)
    open_flag = models.BooleanField(null=True, default=True, editable=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")
        ordering = ["user_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "open_flag"], name="elearn_org_one_open_membership"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(valid_to__isnull=True, open_flag=True)
                    | models.Q(valid_to__isnull=False, open_flag__isnull=True)
                ),
                name="elearn_org_membership_open_flag",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "valid_from"]),
            # A learner's stay at an instant (the hours of a closed month ask it per activity).
            models.Index(fields=["user", "valid_from"], name="elearn_membership_user_from"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.unit_id}"


class TrainingContact(models.Model):
    """A training contact of a unit; covers the unit's whole subtree. A lead may provision.

    .. pii: The contact's user id.
    .. pii_types: id
    .. pii_retirement: retained
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="elearn_contacts"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="contacts")
    is_lead = models.BooleanField(_("training lead"), default=False)

    class Meta:
        app_label = "elearn_plugin"
        verbose_name = _("training contact")
        verbose_name_plural = _("training contacts")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="elearn_org_contact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.unit_id}"
