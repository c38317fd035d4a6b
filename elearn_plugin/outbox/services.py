"""The only writer of outbox rows (ADR 0001): messages decided in the same transaction.

A message is written with the decision that causes it and delivered later by
`elearn_plugin.outbox.sender`; its `key` (e.g. `quota_warning:<user>:2026-11`) makes a
replayed decision add nothing (P-33). No I/O happens here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, connections, router, transaction

from elearn_plugin.core.batching import chunked
from elearn_plugin.core.upsert import insert_prepared_rows, json_text, row_maker
from elearn_plugin.core.users import missing_user_ids
from elearn_plugin.outbox.messages import get_message_type
from elearn_plugin.outbox.models import OutboxMessage

CHUNK_SIZE = 500
MAX_CONTEXT_BYTES = 16_000


class OutboxError(ValueError):
    """Bad input to the outbox, or a call outside a transaction; nothing was written."""


@dataclass(frozen=True)
class OutboxRow:
    key: str
    message_type: str
    user_id: int
    context: dict = field(default_factory=dict)
    language: str = ""


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise OutboxError(
            "enqueue must run inside transaction.atomic(), in the transaction that makes "
            "the decision the message reports"
        )


def _clean(row: OutboxRow) -> tuple[OutboxRow, str]:
    """The row checked, and its context as the JSON text stored (what the sender reads)."""
    if not isinstance(row.key, str) or not row.key.strip():
        raise OutboxError("key must be a non-empty string")
    if len(row.key) > 255:
        raise OutboxError("key is longer than 255 characters")
    message_type = get_message_type(row.message_type)
    if isinstance(row.user_id, bool) or not isinstance(row.user_id, int) or row.user_id <= 0:
        raise OutboxError(f"{row.key}: user_id must be a positive integer")
    if not isinstance(row.context, dict):
        raise OutboxError(f"{row.key}: context must be a dict")
    missing = [name for name in message_type.required_context if name not in row.context]
    if missing:
        raise OutboxError(f"{row.key}: context lacks {missing} for {row.message_type}")
    try:
        # Stored as this text: exactly what the sender will read back.
        text = json.dumps(row.context, cls=DjangoJSONEncoder)
    except (TypeError, ValueError):
        raise OutboxError(f"{row.key}: context is not JSON-serialisable")
    if len(text) > MAX_CONTEXT_BYTES:
        raise OutboxError(f"{row.key}: context is larger than {MAX_CONTEXT_BYTES} characters")
    if not isinstance(row.language, str) or len(row.language) > 16:
        raise OutboxError(f"{row.key}: language must be a short language code")
    return row, text


def _require_users(user_ids: set[int]) -> None:
    missing = sorted(missing_user_ids(user_ids))
    if missing:
        raise OutboxError(f"unknown user ids: {missing[:20]}")


def _model(row: OutboxRow, context: dict) -> OutboxMessage:
    return OutboxMessage(
        key=row.key,
        message_type=row.message_type,
        user_id=row.user_id,
        context=context,
        language=row.language,
    )


def _insert_ignoring(items: Sequence[tuple[OutboxRow, str]]) -> int:
    """Insert new messages in one multi-row `INSERT` that skips taken keys; returns how many
    rows the database inserted (a key a concurrent writer took since the SELECT is not ours).

    The columns `_model` and the model's defaults give, each value prepared only where the
    driver cannot take it as it is (the times), instead of a model instance per message
    compiled value by value through the ORM; the context is the JSON text `_clean` made,
    stored as `core.upsert.json_text` takes it. The defaults are taken once per call
    (`core.upsert.row_maker`), so its rows share `created_at` and `next_attempt_at`.
    """
    db = connections[router.db_for_write(OutboxMessage)]
    fields, make = row_maker(OutboxMessage, db)
    as_json = json_text(OutboxMessage, "context", db)

    def row_of(row: OutboxRow, context: str) -> list:
        return make(
            {
                "key": row.key,
                "message_type": row.message_type,
                "user": row.user_id,
                "context": as_json(context),
                "language": row.language,
            }
        )

    rows = [row_of(row, context) for row, context in items]
    return insert_prepared_rows(OutboxMessage, fields, rows, ignore_conflicts=True)


def enqueue(
    key: str, message_type: str, user_id: int, context: dict, *, language: str = ""
) -> bool:
    """Write one message in the caller's transaction; False when the key already exists.

    `language` empty = the recipient's language at send time. The context holds only what
    the template shows (no email addresses: the sender reads the address at send time).
    """
    _require_transaction()
    row, text = _clean(OutboxRow(key, message_type, user_id, context, language))
    _require_users({row.user_id})
    if OutboxMessage.objects.filter(key=row.key).exists():
        return False
    try:
        with transaction.atomic():
            _model(row, json.loads(text)).save()
    except IntegrityError:
        if OutboxMessage.objects.filter(key=row.key).exists():
            return False
        raise OutboxError(f"{row.key}: user {row.user_id} does not exist")
    return True


def enqueue_bulk(rows: Sequence[OutboxRow]) -> int:
    """Write many messages in the caller's transaction; returns how many were new.

    Every row is validated before anything is written.
    """
    _require_transaction()
    clean: dict[str, tuple[OutboxRow, str]] = {}
    for row in rows:
        item = _clean(row)
        clean.setdefault(item[0].key, item)
    items = list(clean.values())
    created = 0
    _require_users({r.user_id for r, _ in items})
    for chunk in chunked(items, CHUNK_SIZE):
        existing = set(
            OutboxMessage.objects.filter(key__in=[r.key for r, _ in chunk]).values_list(
                "key", flat=True
            )
        )
        new = [(r, c) for r, c in chunk if r.key not in existing]
        if not new:
            continue
        try:
            with transaction.atomic():
                # A concurrent writer may have taken a key since the SELECT (P-33).
                created += _insert_ignoring(new)
        except IntegrityError:
            raise OutboxError("a message is addressed to a user that does not exist")
    return created
