"""A lock per periodic job, so that two ticks at once never run the same job twice.

MySQL/MariaDB use `GET_LOCK` and PostgreSQL a session advisory lock: both are released by
the server when the connection dies. Other databases (SQLite) use a lease row taken with a
conditional UPDATE; a process killed while holding it blocks the job only until the lease
ends (`ELEARN_TICK_LEASE_SECONDS`). `ELEARN_TICK_LOCK = "lease"` forces the lease everywhere.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from django.utils import timezone

from elearn_plugin.conf import setting
from elearn_plugin.tick.models import JobLock

log = logging.getLogger(__name__)
PREFIX = "elearn_tick:"
# Server locks are re-entrant within one session; this keeps a second take in the same
# thread from succeeding, so every backend behaves like the lease.
_held = threading.local()


def lock_name(name: str) -> str:
    """The server-side lock name (MySQL limits it to 64 characters)."""
    full = PREFIX + name
    if len(full) > 64:
        full = PREFIX + hashlib.sha256(name.encode()).hexdigest()[:40]
    return full


def _strategy(connection) -> str:
    choice = setting("ELEARN_TICK_LOCK")
    if choice == "lease":
        return "lease"
    if connection.vendor == "mysql":
        return "mysql"
    if connection.vendor == "postgresql":
        return "postgresql"
    return "lease"


@contextmanager
def job_lock(name: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Try to take the lock of job `name` without waiting; yields whether it was taken."""
    if not isinstance(name, str) or not name:
        raise ValueError("a lock needs a non-empty name")
    held: set = _held.__dict__.setdefault("names", set())
    if (using, name) in held:
        yield False
        return
    held.add((using, name))
    try:
        with _take(name, using) as got:
            if not got:
                held.discard((using, name))
            yield got
    finally:
        held.discard((using, name))


@contextmanager
def _take(name: str, using: str) -> Iterator[bool]:
    connection = connections[using]
    strategy = _strategy(connection)
    if strategy == "mysql":
        with _server_lock(
            connection, "SELECT GET_LOCK(%s, 0)", "SELECT RELEASE_LOCK(%s)", lock_name(name)
        ) as got:
            yield got
    elif strategy == "postgresql":
        digest = hashlib.sha256(lock_name(name).encode()).digest()[:8]
        key = int.from_bytes(digest, "big", signed=True)
        with _server_lock(
            connection, "SELECT pg_try_advisory_lock(%s)", "SELECT pg_advisory_unlock(%s)", key
        ) as got:
            yield got
    else:
        with _lease_lock(name, using) as got:
            yield got


@contextmanager
def _server_lock(connection, take: str, release: str, arg) -> Iterator[bool]:
    # Both statements run on the same connection: these locks belong to the session.
    with connection.cursor() as cursor:
        cursor.execute(take, [arg])
        got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute(release, [arg])


def holder_id() -> str:
    """Who holds a lease: host, process and a random part (unique per acquisition)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


@contextmanager
def _lease_lock(name: str, using: str) -> Iterator[bool]:
    seconds = int(setting("ELEARN_TICK_LEASE_SECONDS"))
    holder = holder_id()
    manager = JobLock.objects.using(using)
    manager.bulk_create([JobLock(name=name)], ignore_conflicts=True)
    now = timezone.now()
    got = bool(
        manager.filter(name=name)
        .filter(Q(holder="") | Q(expires_at__isnull=True) | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    try:
        yield got
    finally:
        if got:
            released = manager.filter(name=name, holder=holder).update(holder="", expires_at=None)
            if not released:
                log.warning("tick lock %s expired before the job ended; raise the lease", name)
