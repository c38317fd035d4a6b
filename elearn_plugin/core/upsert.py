"""`bulk_create(update_conflicts=True)` that works on every database the platform runs on.

PostgreSQL and SQLite need the conflict target (`unique_fields`); MySQL and MariaDB, the
platform's database, upsert on any unique key and refuse a named target
("This database backend does not support updating conflicts with specifying unique fields").
"""

from __future__ import annotations

from django.db import connections, router


def conflict_target(model, fields: list[str]) -> list[str] | None:
    """`fields` where the model's database wants a conflict target, else None."""
    features = connections[router.db_for_write(model)].features
    return list(fields) if features.supports_update_conflicts_with_target else None
