"""`manage.py elearn_seats [--format table|json]`: the seat report (P-2, P-7);
`manage.py elearn_seats --unit CODE --set N`: set a unit's pool, as HR.

The change is attributed to `command:elearn_seats` (or to `--actor-id`, a staff user) and
audited as `seats.set`. Exit status 2, with a message, for bad input: an unknown unit, a
count that is not a whole number of 0 or more, or a count the pools cannot hold.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.org.models import Unit
from elearn_plugin.seats.services import SeatsError, seat_report, set_seats

COLUMNS = ("unit_code", "seats", "used", "free", "parent_code")


class Command(AuditedCommand):
    help = "Show the seat pools with used and free seats, or set one unit's seats (P-2)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--unit", help="the code of the unit whose pool to set")
        # A string, so that "abc" or "-3" gets this command's message and exit status 2.
        parser.add_argument("--set", dest="count", help="the unit's number of seats")
        parser.add_argument("--format", dest="output", choices=["table", "json"], default="table")
        parser.add_argument(
            "--actor-id", type=int, default=None, help="id of the staff user doing this"
        )

    def handle(self, *args, unit, count, output: str, actor_id, **options) -> None:
        if (unit is None) != (count is None):
            raise CommandError(_("Give both --unit and --set, or neither."), returncode=2)
        if unit is not None:
            self._set(unit, count, actor_id)
        lines = [asdict(line) for line in seat_report()]
        if output == "json":
            self.stdout.write(json.dumps({"pools": lines}, ensure_ascii=False, indent=2))
            return
        if not lines:
            self.stdout.write(_("No seat pools: the number of accounts is not limited."))
            return
        widths = [max(len(c), *(len(str(row[c] or "-")) for row in lines)) for c in COLUMNS]
        self.stdout.write("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
        for row in lines:
            cells = [str(row[c] if row[c] is not None else "-") for c in COLUMNS]
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)))

    def _set(self, code: str, count: str, actor_id: int | None) -> None:
        try:
            seats = int(count.strip())
        except ValueError:
            seats = -1
        if seats < 0:
            raise CommandError(
                _("--set needs a whole number of seats, 0 or more (got “{value}”).").format(
                    value=count
                ),
                returncode=2,
            )
        unit_id = Unit.objects.filter(code=code).values_list("id", flat=True).first()
        if unit_id is None:
            raise CommandError(_("Unknown unit code “{code}”.").format(code=code), returncode=2)
        actor = None
        if actor_id is not None:
            actor = get_user_model().objects.filter(pk=actor_id, is_active=True).first()
            if actor is None:
                raise CommandError(
                    _("No active user with id {id}.").format(id=actor_id), returncode=2
                )
        try:
            set_seats(unit_id, seats, actor=actor)
        except (SeatsError, PermissionDenied) as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(_("Unit {code}: {seats} seats.").format(code=code, seats=seats))
