"""When an answer is due and how HR writes survey questions (P-29): pure rules."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from elearn_plugin.rules.feedback import answer_due, parse_questions, questions_text

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_five_working_days_skip_the_weekend():  # P-29
    # Thursday 10:00 in Shanghai -> Fri, Mon, Tue, Wed, Thu: the next Thursday 10:00.
    sent = datetime(2026, 3, 19, 2, 0, tzinfo=UTC)
    assert answer_due(sent, 5, SHANGHAI) == datetime(2026, 3, 26, 2, 0, tzinfo=UTC)
    # Saturday: Mon..Fri of the next week.
    saturday = datetime(2026, 3, 21, 2, 0, tzinfo=UTC)
    assert answer_due(saturday, 5, SHANGHAI) == datetime(2026, 3, 27, 2, 0, tzinfo=UTC)
    # Friday 23:30 in Shanghai: the local day counts, so one working day is Monday 23:30.
    late_friday = datetime(2026, 3, 20, 15, 30, tzinfo=UTC)  # Fri 23:30 Shanghai
    assert answer_due(late_friday, 1, SHANGHAI) == datetime(2026, 3, 23, 15, 30, tzinfo=UTC)


def test_answer_due_refuses_naive_times():
    with pytest.raises(ValueError):
        answer_due(datetime(2026, 3, 19, 2, 0), 5, SHANGHAI)  # noqa: DTZ001


def test_questions_are_parsed_and_written_back():  # P-29
    text = (
        "single: Topic? | A | B\nmulti: When? | Day | Night | Weekend\n\n"
        "# note\nscale: Useful?\ntext: Else?"
    )
    questions, problems = parse_questions(text)
    assert problems == []
    assert [(q.kind, q.text, q.choices) for q in questions] == [
        ("single", "Topic?", ("A", "B")),
        ("multi", "When?", ("Day", "Night", "Weekend")),
        ("scale", "Useful?", ()),
        ("text", "Else?", ()),
    ]
    assert parse_questions(questions_text(questions))[0] == questions


def test_every_bad_line_is_reported_with_its_number():
    text = "single: Only one | A\nwhat: x\nscale: Useful? | 1 | 2\nmulti: Twice | A | A\ntext:"
    questions, problems = parse_questions(text)
    assert [p.line for p in problems] == [1, 2, 3, 4, 5]
    assert "two choices" in str(problems[0])
    assert parse_questions("")[1], "an empty survey is refused"
