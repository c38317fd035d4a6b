"""Pure rules of the instructor archive (P-27, P-30)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from elearn_plugin.rules import teaching


def test_names_are_keyed_one_way():  # P-27
    assert teaching.name_key("  Sun\u3000 LI ") == "sun li"
    assert teaching.name_key("ＳＵＮ ＬＩ") == "sun li"
    assert teaching.name_key("孙丽 Sun Li") == "孙丽 sun li"
    assert teaching.display_name(" 孙丽   Sun Li ") == "孙丽 Sun Li"
    assert teaching.name_key("") == ""


def test_rating_bounds():  # P-30
    assert teaching.rating_problem(1, "") is None and teaching.rating_problem(5, "x" * 1000) is None
    for bad in (0, 6, -1, True, "4", 4.0, None):
        assert teaching.rating_problem(bad, "") == "score"
    assert teaching.rating_problem(3, "x" * 1001) == "comment"
    assert teaching.rating_problem(3, None) == "comment"


def test_who_may_rate():  # P-30
    assert teaching.may_rate("classroom", attended=True, completed=False)
    assert not teaching.may_rate("classroom", attended=False, completed=True)
    assert teaching.may_rate("online", attended=False, completed=True)
    assert not teaching.may_rate("online", attended=True, completed=False)
    assert not teaching.may_rate("other", attended=True, completed=True)


@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 20)), max_size=30))
def test_weighted_median_is_the_median_of_the_values_written_out(pairs):  # P-30
    values = [value for value, n in pairs for _ in range(n)]
    assert teaching.weighted_median(pairs) == teaching.median(values)


def test_shares_and_means():
    assert teaching.share(1, 3) == Decimal("33.3") and teaching.share(0, 0) is None
    assert teaching.mean(9, 2) == Decimal("4.50") and teaching.mean(None, 0) is None
