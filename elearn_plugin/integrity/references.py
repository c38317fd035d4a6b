"""References from plugin rows to users, other rows and courses, found by introspection.

Every concrete field of every model of the app is looked at, so a model added later is
covered without a change here: a foreign key must point at an existing row; an integer
column named like a user id (`user_id`, `*_user_id`, `*_user`) at an existing account; a
`course_key` column at a course with a `CoursePolicy` or one the host knows. Each check is
one anti-join (`NOT EXISTS`) per model and field, never a query per row: after a restore
made with foreign-key checks off (as dump files are loaded), nothing else finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, OuterRef

from elearn_plugin.integrity.report import Problem, Report, count_and_examples

APP_LABEL = "elearn_plugin"
_USER_COLUMN = re.compile(r"(^|_)user(_id)?$")
_COURSE_COLUMN = re.compile(r"(^|_)course_key$")

# Columns shaped like user ids that do not refer to a current account, with the reason.
USER_COLUMNS_NOT_REFERENCES = {
    "AuditEvent.actor_user_id": "the trail outlives a deleted account by design (ADR 0009)",
    "CloseChunk.first_user_id": "the bound of an id range, not a learner",
    "CloseChunk.last_user_id": "the bound of an id range, not a learner",
}


@dataclass(frozen=True)
class ReferenceCheck:
    """One column to check: `kind` is `fk`, `user_id` or `course_key`."""

    kind: str
    model: type[models.Model]
    field: models.Field

    @property
    def name(self) -> str:
        if self.kind == "course_key":
            return "unknown_course"
        if self.kind == "user_id" or _is_user_model(self.field.related_model):
            return "missing_user"
        return f"missing_{self.field.related_model._meta.model_name}"

    @property
    def table(self) -> str:
        return f"{self.model._meta.db_table}.{self.field.column}"


def _is_user_model(model) -> bool:
    return model is not None and model._meta.label == settings.AUTH_USER_MODEL


def _models():
    config = apps.get_app_config(APP_LABEL)
    for model in config.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def reference_checks() -> list[ReferenceCheck]:
    """Every reference column of the app's models, read from their fields."""
    from elearn_plugin.courses.models import CoursePolicy  # noqa: PLC0415

    found = []
    for model in _models():
        for field in model._meta.local_concrete_fields:
            label = f"{model.__name__}.{field.name}"
            if field.is_relation and (field.many_to_one or field.one_to_one):
                found.append(ReferenceCheck("fk", model, field))
            elif field.is_relation:
                continue
            elif isinstance(field, models.IntegerField) and _USER_COLUMN.search(field.name):
                if label not in USER_COLUMNS_NOT_REFERENCES:
                    found.append(ReferenceCheck("user_id", model, field))
            elif isinstance(field, models.CharField) and _COURSE_COLUMN.search(field.name):
                if model is not CoursePolicy:
                    found.append(ReferenceCheck("course_key", model, field))
    return found


def _dangling(check: ReferenceCheck):
    """The rows whose reference names nothing: one `NOT EXISTS` subquery."""
    model, field = check.model, check.field
    rows = model._base_manager.exclude(**{f"{field.attname}__isnull": True})
    if check.kind == "fk":
        target = field.related_model._base_manager.filter(
            **{field.target_field.attname: OuterRef(field.attname)}
        )
    elif check.kind == "user_id":
        target = get_user_model()._base_manager.filter(pk=OuterRef(field.attname))
    else:
        from elearn_plugin.courses.models import CoursePolicy  # noqa: PLC0415

        rows = rows.exclude(**{field.attname: ""})
        target = CoursePolicy._base_manager.filter(course_key=OuterRef(field.attname))
    return rows.filter(~Exists(target))


def _unknown_to_host(check: ReferenceCheck, rows):
    """Of the rows naming a course without a policy, those whose course the host lacks too:
    one query for the distinct keys, one question to the host, one count."""
    from elearn_plugin.host.catalogue import get_catalogue_adapter  # noqa: PLC0415

    column = check.field.attname
    keys = set(rows.values_list(column, flat=True).distinct())
    known = get_catalogue_adapter().existing(keys) if keys else set()
    return rows.filter(**{f"{column}__in": sorted(keys - known)}) if known else rows


def check_references(report: Report) -> None:
    """Add a problem per column whose rows name a missing user, row or course."""
    for check in reference_checks():
        rows = _dangling(check)
        count, ids = count_and_examples(rows)
        if check.kind == "course_key" and count:
            rows = _unknown_to_host(check, rows)
            count, ids = count_and_examples(rows)
        report.checked.append(f"{check.name}:{check.table}")
        if count:
            report.problems.append(Problem(check.name, check.table, count, ids))
