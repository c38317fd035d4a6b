"""Everything the plugin holds about one learner, for a subject-access request (P-32).

The models to read are found, not listed: every model of the app whose docstring carries a
`.. pii:` annotation (the same annotations retirement follows), read by each of its foreign
keys to the user model (a learner's own rows, the rows they issued or decided), plus the
audit events they did or that name them. A model added later with its annotation is exported
without a change here; `tests/unit/privacy` proves every annotated model appears. Rows are
read a chunk at a time and written as they come, so a long history costs no more memory than
a chunk. Only the account's own fields the plugin relies on are added (no password).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

CHUNK = 2000
FORMAT = "elearn-subject-access/1"
ACCOUNT_FIELDS = ("id", "username", "email", "first_name", "last_name", "is_active",
                  "date_joined", "last_login")  # fmt: skip
SUBJECT_FIELDS = ("user", "uploader")
_PII = re.compile(r"^\s*\.\. pii:", re.MULTILINE)


def personal_models() -> list[type[models.Model]]:
    """The app's models annotated as holding personal data, by name."""
    found = [
        model
        for model in apps.get_app_config("elearn_plugin").get_models()
        if _PII.search(model.__doc__ or "")
    ]
    return sorted(found, key=lambda m: m.__name__)


def _user_fields(model: type[models.Model]) -> list[str]:
    """The foreign keys naming the learner a row is about (`user`, a referral's uploader);
    for a model without one, every key to an account (the acts the learner did there).
    A row a learner is about is never exported because someone else decided on it."""
    user_model = get_user_model()
    keys = [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.related_model is user_model
    ]
    subject = [name for name in keys if name in SUBJECT_FIELDS]
    return subject or keys


def rows_of(model: type[models.Model], user_id: int):
    """The queryset of `model`'s rows about the learner (None: no link to an account, as
    the classroom register's instructor names)."""
    if model._meta.label == "elearn_plugin.AuditEvent":
        from elearn_plugin.audit.services import user_target  # noqa: PLC0415

        return model.objects.filter(Q(actor_user_id=user_id) | Q(target=user_target(user_id)))
    fields = _user_fields(model)
    if not fields:
        return None
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}_id": user_id})
    return model.objects.filter(condition)


def _chunks(queryset) -> Iterator[list[dict]]:
    after = None
    while True:
        page = queryset.order_by("pk")
        if after is not None:
            page = page.filter(pk__gt=after)
        rows = list(page.values()[:CHUNK])
        if not rows:
            return
        yield rows
        after = rows[-1][queryset.model._meta.pk.attname]


def write_export(user_id: int, out: IO[str]) -> dict[str, int]:
    """Write the learner's export as JSON to `out`; rows per model (every model is named)."""
    encoder = DjangoJSONEncoder(ensure_ascii=False, indent=None)
    account = get_user_model().objects.filter(pk=user_id).values(*ACCOUNT_FIELDS).first()
    counts: dict[str, int] = {}
    out.write("{\n")
    out.write(f'"format": {json.dumps(FORMAT)},\n')
    out.write(f'"generated_at": {encoder.encode(timezone.now())},\n')
    out.write(f'"time_zone": {json.dumps(str(settings.TIME_ZONE))},\n')
    out.write(f'"account": {encoder.encode(account)},\n')
    out.write('"models": {')
    for index, model in enumerate(personal_models()):
        queryset = rows_of(model, user_id)
        out.write(",\n" if index else "\n")
        out.write(f"{json.dumps(model.__name__)}: [")
        count = 0
        if queryset is not None:
            for rows in _chunks(queryset):
                for row in rows:
                    out.write(",\n  " if count else "\n  ")
                    out.write(encoder.encode(row))
                    count += 1
        out.write("]")
        counts[model.__name__] = count
    out.write("\n}\n}\n")
    return counts
