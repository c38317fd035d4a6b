"""What the integrity check reports: each problem by check, table, count and example ids.

A problem never carries personal data: ids of rows, codes, positions and month labels only,
so the output can go into a ticket or a log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

EXAMPLES = 5


@dataclass(frozen=True)
class Problem:
    check: str
    table: str
    count: int
    example_ids: tuple = ()
    detail: str = ""

    def line(self) -> str:
        """One line: `check table: N row(s), e.g. ids 1, 2 (detail)`."""
        text = f"{self.check} {self.table}: {self.count} row(s)"
        if self.example_ids:
            text += ", e.g. ids " + ", ".join(str(value) for value in self.example_ids)
        if self.detail:
            text += f" ({self.detail})"
        return text

    def as_dict(self) -> dict:
        data = asdict(self)
        data["example_ids"] = list(self.example_ids)
        return data


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    # What was checked (one entry per check run) and what could not be (with the reason).
    checked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "problems": [problem.as_dict() for problem in self.problems],
            "checked": len(self.checked),
            "checks": list(self.checked),
            "notes": list(self.notes),
        }


def count_and_examples(queryset) -> tuple[int, tuple]:
    """The rows of `queryset`: how many, and the first few primary keys (two queries at most)."""
    count = queryset.count()
    if not count:
        return 0, ()
    ids = tuple(queryset.order_by("pk").values_list("pk", flat=True)[:EXAMPLES])
    return count, ids
