"""Pure decisions of the instructor archive and teaching supervision (P-27, P-30).

- One instructor, one key: a name typed in two data files with other spacing or case (or
  full-width letters from a Chinese input method) is the same person; the key is the name
  in Unicode NFKC, case-folded, with runs of white space made one space.
- Who may rate: a learner rates a classroom session they attended, or an online course they
  completed; nobody else, so a rating speaks for someone who was taught.
- A rating is a whole number from 1 to 5 and a comment of at most `MAX_COMMENT` characters.
- Figures: the median of a list of numbers (days from assignment to completion) and a
  share in per cent, both None where there is nothing to count (never a division by zero).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

MIN_SCORE, MAX_SCORE = 1, 5
MAX_COMMENT = 1000
MAX_NAME = 200
_SPACE = re.compile(r"\s+")


def name_key(name: str) -> str:
    """The instructor's key: NFKC, case-folded, single spaces, trimmed; '' for no name."""
    text = unicodedata.normalize("NFKC", name or "")
    return _SPACE.sub(" ", text).strip().casefold()[:MAX_NAME]


def display_name(name: str) -> str:
    """The name as shown: NFKC and single spaces, with its case kept."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name or "")).strip()[:MAX_NAME]


def rating_problem(score: object, comment: object) -> str | None:
    """What is wrong with a rating (a code), or None: 'score' or 'comment'."""
    if isinstance(score, bool) or not isinstance(score, int):
        return "score"
    if not MIN_SCORE <= score <= MAX_SCORE:
        return "score"
    if not isinstance(comment, str) or len(comment.strip()) > MAX_COMMENT:
        return "comment"
    return None


def may_rate(kind: str, *, attended: bool, completed: bool) -> bool:
    """A classroom session is rated by its attendees, an online course by its completers."""
    if kind == "classroom":
        return attended
    if kind == "online":
        return completed
    return False


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return statistics.median(values) if values else None


def weighted_median(pairs: Sequence[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times): the same as `median` of the
    values written out, without writing them out (one pair per day, not per learner)."""
    counted = sorted((value, n) for value, n in pairs if n > 0)
    total = sum(n for _value, n in counted)
    if not total:
        return None
    low_rank, high_rank = (total - 1) // 2, total // 2  # 0-based ranks of the middle values
    low = high = None
    seen = 0
    for value, n in counted:
        if low is None and low_rank < seen + n:
            low = value
        if high_rank < seen + n:
            high = value
            break
        seen += n
    return (low + high) / 2


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in per cent with one decimal, or None when `whole` is 0."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def mean(total: int | float | Decimal | None, count: int) -> Decimal | None:
    """An average of ratings to two decimals, or None for none."""
    if not count or total is None:
        return None
    return (Decimal(str(total)) / count).quantize(Decimal("0.01"), ROUND_HALF_UP)
