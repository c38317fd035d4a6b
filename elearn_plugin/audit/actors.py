"""Who made a change: a user, or a named system principal (ADR 0009).

Every service writer records its actor in the audit trail. A view, handler or admin action
passes the signed-in user; a job, command, task or receiver runs inside
`acting_as("job:month_close")` and passes nothing, so `actor=None` has one meaning
everywhere: "the system principal running now". A change with no user and no principal is
refused, as nobody could later say who made it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from elearn_plugin.audit.errors import AuditError

# `job:<tick job>`, `command:<manage.py command>`, `task:<Celery task>`, `receiver:<signal>`,
# `system:<component>`; lower case, no spaces, so it can never be a person's name.
PRINCIPAL = re.compile(r"^(job|command|task|receiver|system):[a-z0-9][a-z0-9_.:-]{0,55}$")

_principal: ContextVar[str | None] = ContextVar("elearn_audit_principal", default=None)


@dataclass(frozen=True)
class Actor:
    """The resolved actor: exactly one of `user_id` and `system` is set."""

    user_id: int | None = None
    system: str = ""

    def __str__(self) -> str:
        return f"user {self.user_id}" if self.user_id is not None else self.system


def check_principal(name: object) -> str:
    if not isinstance(name, str) or not PRINCIPAL.match(name):
        raise AuditError(
            f"system principal {name!r} must look like 'job:<name>', 'command:<name>', "
            "'task:<name>', 'receiver:<name>' or 'system:<name>'"
        )
    return name


@contextmanager
def acting_as(principal: str) -> Iterator[Actor]:
    """Attribute the changes made inside the block (with `actor=None`) to `principal`."""
    token = _principal.set(check_principal(principal))
    try:
        yield Actor(system=principal)
    finally:
        _principal.reset(token)


def current_principal() -> str | None:
    return _principal.get()


def resolve(actor: object) -> Actor:
    """A user (instance or id), an `Actor`, or None for the principal running now."""
    if isinstance(actor, Actor):
        if (actor.user_id is None) == (not actor.system):
            raise AuditError("an Actor names either a user id or a system principal")
        if actor.system:
            check_principal(actor.system)
        return actor
    if actor is None:
        principal = _principal.get()
        if principal is None:
            raise AuditError(
                "no actor: pass the acting user as actor=, or run the job inside "
                "audit.acting_as('job:<name>')"
            )
        return Actor(system=principal)
    if isinstance(actor, bool):
        raise AuditError("actor must be a user, a user id or None")
    if isinstance(actor, int):
        if actor <= 0:
            raise AuditError("actor user id must be positive")
        return Actor(user_id=actor)
    pk = getattr(actor, "pk", None)
    if isinstance(pk, int) and not isinstance(pk, bool) and pk > 0:
        return Actor(user_id=pk)
    raise AuditError("actor must be a saved user, a user id or None")


def actor_user_id(actor: object) -> int | None:
    """The acting user's id for a `created_by`-style column (None for a system principal)."""
    return resolve(actor).user_id
