"""The only writer of audit events: one row per changed target, in the change's transaction.

Modelled on Zulip's `RealmAuditLog`: each service writer calls `record` (or `record_bulk`
for its bulk form) inside the `transaction.atomic()` that makes the change, so the change and
its event commit or roll back together. Rows are written unsealed; the sealer (`chain.seal`,
a tick job) chains them after commit, so no global lock sits in the hot path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, connections, models, router
from django.utils import timezone

from elearn_plugin.audit.actors import Actor, resolve
from elearn_plugin.audit.errors import AuditError
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.audit.verbs import clean_data
from elearn_plugin.core.batching import chunked
from elearn_plugin.core.upsert import insert_prepared_rows, row_maker

CHUNK_SIZE = 1000


def target_of(obj: models.Model | type[models.Model], pk: object = None) -> str:
    """`app_label.model:pk` for a saved instance, or for a model class and a primary key."""
    if isinstance(obj, type) and issubclass(obj, models.Model):
        model, key = obj, pk
    elif isinstance(obj, models.Model):
        model, key = type(obj), obj.pk
    else:
        raise AuditError("target must be a model instance or a model class and a primary key")
    if key is None or isinstance(key, bool):
        raise AuditError(f"{model._meta.label_lower}: target has no primary key")
    return f"{model._meta.label_lower}:{key}"


def user_target(user_id: int) -> str:
    """The target naming a learner (the host's user model)."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    return target_of(get_user_model(), user_id)


def _target(target: object) -> str:
    if isinstance(target, str):
        label, sep, key = target.partition(":")
        if not sep or "." not in label or not key or len(target) > 160 or " " in target:
            raise AuditError(f"target {target!r} must read 'app_label.model:pk'")
        return target
    return target_of(target)


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise AuditError(
            "audit events are written inside transaction.atomic(), in the transaction "
            "that makes the change they record"
        )


def _row(actor: Actor, verb: str, target: object, data: object, now) -> AuditEvent:
    return AuditEvent(
        occurred_at=now,
        actor_user_id=actor.user_id,
        actor_system=actor.system,
        verb=verb,
        target=_target(target),
        data=clean_data(verb, data),
    )


def record(actor: object, verb: str, target: object, data: dict | None = None) -> None:
    """Record one change made by `actor` (a user, a user id, or None for the running job)."""
    _require_transaction()
    _row(resolve(actor), verb, target, data, timezone.now()).save(force_insert=True)


def record_bulk(actor: object, verb: str, rows: Iterable[tuple[object, dict | None]]) -> int:
    """Record one event per (target, data), one INSERT per chunk; returns how many."""
    _require_transaction()
    who, now = resolve(actor), timezone.now()
    events = [(_target(target), clean_data(verb, data)) for target, data in rows]
    for chunk in chunked(events, CHUNK_SIZE):
        _insert(who, verb, now, chunk)
    return len(events)


def _insert(who: Actor, verb: str, now, events: Sequence[tuple[str, dict]]) -> None:
    """The events `(target, clean data)` as `bulk_create` would write them (unsealed, in
    order, so the sealer chains them by id; one multi-row INSERT per batch the database
    allows), without a model instance per event or each value compiled through the ORM:
    the events of a call share their actor, verb and time (prepared once), and only the data
    needs its field's preparation, as JSON.
    """
    if not events:
        return
    db = connections[router.db_for_write(AuditEvent)]
    fields, row = row_maker(
        AuditEvent,
        db,
        occurred_at=AuditEvent._meta.get_field("occurred_at").get_db_prep_save(now, db),
        actor_user_id=who.user_id,
        actor_system=who.system,
        verb=verb,
    )
    as_json = AuditEvent._meta.get_field("data").get_db_prep_save
    rows = [row({"target": target, "data": as_json(data, db)}) for target, data in events]
    insert_prepared_rows(AuditEvent, fields, rows)
