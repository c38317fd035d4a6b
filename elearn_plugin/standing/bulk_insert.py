"""How `services.impose_bulk` writes a chunk of sanctions: one multi-row INSERT, read back.

Kept apart from the services so each module stays small; nothing else calls it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache, partial
from typing import TYPE_CHECKING

from django.db import connections, router

from elearn_plugin.core.upsert import insert_prepared_rows, json_text, row_maker
from elearn_plugin.standing.models import Sanction

if TYPE_CHECKING:
    from elearn_plugin.standing.services import SanctionSpec


def insert_new(
    specs: Sequence[SanctionSpec],
    now: datetime,
    created_by: int | None,
    evidence_texts: dict[tuple[int, str, str], str],
) -> list:
    """Insert one chunk's sanctions, skipping taken keys; the rows this call inserted, read
    back as `(pk, kind, reason_code, source, ends_at)` in insertion order.

    `core.upsert.insert_returning_ours` without a model instance per row and each value
    compiled through the ORM (most of a month close's apply step): one multi-row `INSERT`
    ignoring conflicts per batch, counted by the database, then the rows carrying this
    call's `created_at` under the chunk's keys (another writer's row carries its own time:
    P-33). Only times need their field's preparation, each distinct time once; the evidence
    is the JSON text `services.evidence_json` made of it (keyed by the spec's natural key),
    stored as `core.upsert.json_text` takes it.
    """
    connection = connections[router.db_for_write(Sanction)]
    meta = Sanction._meta
    fields, row = row_maker(
        Sanction,
        connection,
        created_at=meta.get_field("created_at").get_db_prep_save(now, connection),
        created_by=created_by,
    )
    starts, ends = (
        lru_cache(maxsize=None)(
            partial(meta.get_field(name).get_db_prep_save, connection=connection)
        )
        for name in ("starts_at", "ends_at")
    )
    evidence = json_text(Sanction, "evidence", connection)

    def row_of(spec: SanctionSpec) -> list:
        return row(
            {
                "user": spec.user_id,
                "kind": spec.kind,
                "reason_code": spec.reason_code,
                "reason": spec.reason,
                "source": spec.source,
                "starts_at": starts(spec.starts_at),
                "ends_at": ends(spec.ends_at),
                "evidence": evidence(evidence_texts[(spec.user_id, spec.kind, spec.source)]),
            }
        )

    rows = [row_of(spec) for spec in specs]
    inserted = insert_prepared_rows(Sanction, fields, rows, ignore_conflicts=True)
    if not inserted:
        return []
    keys = {(s.user_id, s.kind, s.source) for s in specs}
    found = (
        Sanction.objects.filter(user_id__in={s.user_id for s in specs}, created_at=now)
        .order_by("pk")
        .values_list("pk", "user_id", "kind", "reason_code", "source", "ends_at")
    )
    return [
        (pk, kind, code, source, ends_at)
        for pk, user_id, kind, code, source, ends_at in found
        if (user_id, kind, source) in keys
    ]
