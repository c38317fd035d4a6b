"""Pure decisions of requests, feedback and surveys (P-29): when an answer is due, and how
HR writes a survey's questions.

No Django here: the feedback domain passes plain values in and stores what comes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

QUESTION_KINDS = ("single", "multi", "scale", "text")
CHOICE_KINDS = ("single", "multi")
SCALE = (1, 2, 3, 4, 5)
MAX_QUESTIONS = 50
MAX_CHOICES = 20
MAX_QUESTION_TEXT = 500
MAX_CHOICE_TEXT = 200


def answer_due(submitted_at: datetime, working_days: int, tz: tzinfo) -> datetime:
    """The time an answer is due: `working_days` Mondays-to-Fridays after `submitted_at`, at
    the same local time in the policy's zone (weekend days are not counted; an item sent on
    a Saturday is due on the fifth weekday after it). Public holidays are not known here,
    so the due time is the organisation's promise, not a legal deadline."""
    if submitted_at.utcoffset() is None:
        raise ValueError("submitted_at must be timezone-aware")
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    local = submitted_at.astimezone(tz)
    day, left = local.date(), working_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    naive = datetime.combine(day, local.timetz().replace(tzinfo=None))
    return naive.replace(tzinfo=tz).astimezone(submitted_at.tzinfo)


@dataclass(frozen=True)
class QuestionSpec:
    """One question: its kind, its text and, for a choice, the choices in order."""

    kind: str
    text: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionProblem:
    """A line HR wrote that is not a question (1-based line number)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def parse_questions(text: str) -> tuple[list[QuestionSpec], list[QuestionProblem]]:
    """HR's questions, one a line: `kind: question | choice | choice …`.

    Kinds: `single` (one choice), `multi` (any choices), `scale` (1 to 5), `text` (free
    text). Blank lines and lines starting with `#` are skipped. Every problem is returned
    with its line, so the form shows them all at once and nothing is saved.
    """
    questions: list[QuestionSpec] = []
    problems: list[QuestionProblem] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, sep, rest = line.partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in QUESTION_KINDS:
            problems.append(QuestionProblem(number, "start with single:, multi:, scale: or text:"))
            continue
        parts = [part.strip() for part in rest.split("|")]
        question, choices = parts[0], tuple(p for p in parts[1:] if p)
        if not question:
            problems.append(QuestionProblem(number, "the question has no text"))
        elif len(question) > MAX_QUESTION_TEXT:
            problems.append(
                QuestionProblem(number, f"keep the question under {MAX_QUESTION_TEXT} characters")
            )
        if kind in CHOICE_KINDS:
            if len(choices) < 2:
                problems.append(QuestionProblem(number, "give at least two choices after |"))
            elif len(choices) > MAX_CHOICES:
                problems.append(QuestionProblem(number, f"at most {MAX_CHOICES} choices"))
            elif len(set(choices)) != len(choices):
                problems.append(QuestionProblem(number, "a choice is written twice"))
            elif any(len(c) > MAX_CHOICE_TEXT for c in choices):
                problems.append(
                    QuestionProblem(number, f"keep choices under {MAX_CHOICE_TEXT} characters")
                )
        elif choices:
            problems.append(QuestionProblem(number, f"a {kind} question takes no choices"))
        questions.append(QuestionSpec(kind, question, choices if kind in CHOICE_KINDS else ()))
    if not questions and not problems:
        problems.append(QuestionProblem(1, "write at least one question"))
    if len(questions) > MAX_QUESTIONS:
        problems.append(QuestionProblem(1, f"at most {MAX_QUESTIONS} questions"))
    return questions, problems


def questions_text(questions) -> str:
    """The inverse of `parse_questions`, for the form that edits a draft survey."""
    lines = []
    for q in questions:
        parts = [q.text, *q.choices]
        lines.append(f"{q.kind}: " + " | ".join(parts))
    return "\n".join(lines)
