"""What a sync changes, in words: one summary for the command and HR's admin page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

SHOWN = 20  # employee ids listed per kind


@dataclass(frozen=True)
class Kind:
    label: str
    count: int
    shown: tuple[str, ...]
    more: int


def _ids(people) -> list[str]:
    return [p if isinstance(p, str) else p.employee_id for p in people]


def kinds(report) -> list[Kind]:
    """Each kind of change with its count and the first employee ids (never names)."""
    d = report.diff
    rows = (
        (_("hires"), d.hires),
        (_("transfers"), d.transfers),
        (_("departures"), d.departures),
        (_("role changes"), d.role_changes),
        (_("returns"), d.returns),
        (_("missing from the roster (not changed)"), d.missing),
        (_("leaving later (not changed yet)"), d.pending),
    )
    out = []
    for label, people in rows:
        ids = _ids(people)
        out.append(Kind(label, len(ids), tuple(ids[:SHOWN]), max(len(ids) - SHOWN, 0)))
    return out


def reason_text(code: str | None) -> str:
    """Why the guard holds a sync (P-7)."""
    return {
        "departures": _("it would freeze more people than roster.max_departure_share allows"),
        "empty": _("the roster is empty"),
        "truncated": _("the roster leaves out more active people than it may (truncated?)"),
    }.get(code or "", code or "")
