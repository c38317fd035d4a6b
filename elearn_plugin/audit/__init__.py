"""The audit trail: who changed what, written with the change, sealed in an HMAC chain (ADR 0009).

Service writers call `record(actor, verb, target, data)` or `record_bulk(...)` inside their
transaction; jobs, commands and tasks run inside `acting_as("job:<name>")`.
"""

from elearn_plugin.audit.actors import (
    Actor,
    acting_as,
    actor_user_id,
    current_principal,
    resolve,
)
from elearn_plugin.audit.errors import AuditError
from elearn_plugin.audit.services import record, record_bulk, target_of, user_target

__all__ = [
    "Actor",
    "AuditError",
    "acting_as",
    "actor_user_id",
    "current_principal",
    "record",
    "record_bulk",
    "resolve",
    "target_of",
    "user_target",
]
