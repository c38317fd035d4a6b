"""Used and free seats of every pool (P-2, P-7), and the check that new accounts fit.

A leaf module (the models only), so that provisioning and the data-file loader can call
`check_room` without importing the writers. Used seats are counted, never stored: the
active people of a pool's subtree, except those inside a nested pool, whose whole allocation
counts instead. Every count here is a fixed number of set queries, whatever the number of
pools, units or people: the pools, then the active people grouped by unit path; the nearest
pool of each path is found by walking its prefixes in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from elearn_plugin.org.models import Person, Unit
from elearn_plugin.seats.models import SeatPool


class SeatsError(ValueError):
    """A seat change or an import that does not fit; the message names units and numbers
    only (no personal data), so it is safe to show to HR and to a training lead."""

    def __init__(self, message: str, shortfalls: tuple[Shortfall, ...] = ()) -> None:
        super().__init__(message)
        self.shortfalls = shortfalls


@dataclass(frozen=True)
class Shortfall:
    """A pool that has fewer free seats than were asked of it."""

    unit_code: str
    free: int
    asked: int

    def __str__(self) -> str:
        return _("Unit {code} has {free} free seats; {asked} new accounts were asked for.").format(
            code=self.unit_code, free=self.free, asked=self.asked
        )


@dataclass(frozen=True)
class PoolUsage:
    """One pool with its counted use; `parent_path` is the nearest pool above, if any."""

    pool_id: int | None  # None: a pool being created (`usage(extra=...)`)
    unit_id: int
    unit_code: str
    path: str
    seats: int
    used: int
    parent_path: str | None

    @property
    def free(self) -> int:
        return max(self.seats - self.used, 0)


def prefixes(path: str) -> list[str]:
    """'/1/4/9/' -> ['/1/4/9/', '/1/4/', '/1/']: the unit itself first, then its ancestors."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(len(parts), 0, -1)]


def nearest(path: str, pool_paths: Mapping[str, object] | set[str], *, strict: bool = False):
    """The path of the nearest pool at or above `path` (strictly above with `strict`)."""
    for prefix in prefixes(path)[1 if strict else 0 :]:
        if prefix in pool_paths:
            return prefix
    return None


def _outermost(paths: Iterable[str]) -> list[str]:
    roots: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def usage(
    *, lock: bool = False, extra: tuple[int, str, str, int] | None = None
) -> dict[str, PoolUsage]:
    """Every pool by its unit's path, with its used seats; two queries (three with `lock`).

    `lock` (inside a transaction) locks every pool row first, so that two imports or seat
    changes running at once are checked one after the other. `extra` (unit id, code, path,
    seats) counts as if that unit's pool were set so, for `set_seats` to check a change
    before making it.
    """
    if lock and connection.in_atomic_block:
        list(SeatPool.objects.select_for_update().order_by("id").values_list("id", flat=True))
    rows = list(SeatPool.objects.values_list("id", "unit_id", "unit__code", "unit__path", "seats"))
    if extra is not None:
        unit_id = extra[0]
        pool_id = next((row[0] for row in rows if row[1] == unit_id), None)
        rows = [row for row in rows if row[1] != unit_id] + [(pool_id, *extra)]
    if not rows:
        return {}
    by_path = {row[3]: row for row in rows}
    used = dict.fromkeys(by_path, 0)
    query = Q()
    for root in _outermost(by_path):
        query |= Q(unit__path__startswith=root)
    people = (
        Person.objects.filter(query, status=Person.ACTIVE)
        .values_list("unit__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, count in people:
        pool = nearest(path, by_path)
        if pool is not None:
            used[pool] += count
    parents = {path: nearest(path, by_path, strict=True) for path in by_path}
    for path, parent in parents.items():
        if parent is not None:
            used[parent] += by_path[path][4]  # a nested pool uses its whole allocation
    return {
        path: PoolUsage(row[0], row[1], row[2], path, row[4], used[path], parents[path])
        for path, row in sorted(by_path.items())
    }


def check_room(additions: Mapping[int, int]) -> None:
    """Raise `SeatsError` unless the accounts about to become active fit in their pools.

    `additions` maps a unit id to how many people become active in it (a negative count:
    how many leave it, e.g. moved elsewhere by the same import). A unit with no pool at or
    above it has no limit (a site that does not sell seats). Call it inside the transaction
    that writes, before writing: the pools stay locked until it ends.
    """
    wanted = {int(unit_id): int(n) for unit_id, n in additions.items() if n}
    if not any(n > 0 for n in wanted.values()):
        return
    pools = usage(lock=True)
    if not pools:
        return
    delta: dict[str, int] = {}
    for unit_id, path in Unit.objects.filter(id__in=list(wanted)).values_list("id", "path"):
        pool = nearest(path, pools)
        if pool is not None:
            delta[pool] = delta.get(pool, 0) + wanted[unit_id]
    shortfalls = tuple(
        Shortfall(pools[path].unit_code, pools[path].free, n)
        for path, n in sorted(delta.items())
        if n > 0 and pools[path].used + n > pools[path].seats
    )
    if shortfalls:
        raise SeatsError(" ".join(str(s) for s in shortfalls), shortfalls)
