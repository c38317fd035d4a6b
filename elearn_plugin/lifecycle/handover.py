"""The messages a transfer and a departure send, through the outbox, once (P-6, P-7).

A transfer tells the training contacts of the unit left and of the unit joined (the nearest
unit up the tree that has contacts, when the unit itself has none) and HR (the `elearn_hr`
group, staff and superusers, as the permissions count HR). Each recipient gets **one**
message per batch listing the learners that concern them, so a roster sync moving 300
people sends HR one message, not 300. The key is a digest of the batch and the recipient:
a batch replayed after a crash sends nothing twice, and a repeated transfer has no movers,
so no message.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from elearn_plugin.org.models import Person, TrainingContact, Unit
from elearn_plugin.outbox.services import OutboxRow, enqueue_bulk
from elearn_plugin.permissions.roles import hr_user_ids

# A message lists at most this many learners and says how many there were in all.
LISTED = 50


def _digest(transfers: Sequence[tuple[int, int, int]], when: datetime) -> str:
    text = when.isoformat() + ";" + ";".join(f"{u}:{a}:{b}" for u, a, b in sorted(transfers))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _unit_ids_of_path(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _contacts_by_unit(unit_ids: set[int]) -> dict[int, set[int]]:
    """Each unit's contacts: its own, else those of its nearest ancestor that has some."""
    paths = dict(Unit.objects.filter(id__in=unit_ids).values_list("id", "path"))
    chains = {uid: _unit_ids_of_path(path) for uid, path in paths.items()}
    wanted = {u for chain in chains.values() for u in chain}
    by_unit: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in TrainingContact.objects.filter(unit_id__in=wanted).values_list(
        "user_id", "unit_id"
    ):
        by_unit[unit_id].add(user_id)
    result = {}
    for uid, chain in chains.items():
        nearest = next((by_unit[u] for u in reversed(chain) if by_unit.get(u)), set())
        result[uid] = nearest
    return result


def queue(transfers: Sequence[tuple[int, int, int]], when: datetime, day: date) -> int:
    """Queue the hand-over messages of `(user id, old unit id, new unit id)` moves made at
    `when` (`day` in the policy's zone), in the caller's transaction; returns how many."""
    transfers = [(u, a, b) for u, a, b in transfers if a != b]
    if not transfers:
        return 0
    units = {a for _u, a, _b in transfers} | {b for _u, _a, b in transfers}
    names = dict(Unit.objects.filter(id__in=units).values_list("id", "name"))
    people = dict(
        Person.objects.filter(user_id__in=[u for u, _a, _b in transfers]).values_list(
            "user_id", "name"
        )
    )
    contacts = _contacts_by_unit(units)
    concerns: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for move in transfers:
        _user, old, new = move
        for recipient in contacts.get(old, set()) | contacts.get(new, set()):
            concerns[recipient].append(move)
    for recipient in hr_user_ids():
        concerns[recipient] = list(transfers)
    digest = _digest(transfers, when)
    rows = []
    for recipient, moves in sorted(concerns.items()):
        listed = [
            {
                "learner_name": people.get(u, ""),
                "from_unit": names.get(a, ""),
                "to_unit": names.get(b, ""),
            }
            for u, a, b in sorted(moves)[:LISTED]
        ]
        rows.append(
            OutboxRow(
                key=f"handover:{digest}:{recipient}",
                message_type="transfer_handover",
                user_id=recipient,
                context={
                    "learners": listed,
                    "count": len(moves),
                    "more": len(moves) - len(listed),
                    "effective_on": day.isoformat(),
                },
            )
        )
    return enqueue_bulk(rows)


def queue_frozen(user_ids: Sequence[int], day: date) -> int:
    """Tell each departed learner their account is frozen and their records kept (P-7)."""
    return enqueue_bulk(
        [
            OutboxRow(f"account_frozen:{uid}:{day.isoformat()}", "account_frozen", uid, {})
            for uid in user_ids
        ]
    )
