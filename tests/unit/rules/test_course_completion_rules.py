"""Course completion rules (P-17): every visible tracked video watched and passing, both first."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elearn_plugin.rules import course_completion as rule
from elearn_plugin.rules.course_completion import (
    GRADE_ONLY,
    IGNORE,
    NOT_COUNTABLE,
    CompletionChoices,
    completion_time,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
STRICT = CompletionChoices(without_tracked_videos=NOT_COUNTABLE, builtin_videos=NOT_COUNTABLE)
LENIENT = CompletionChoices(without_tracked_videos=GRADE_ONLY, builtin_videos=IGNORE)
A, B, C = "block@a", "block@b", "block@c"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def decide(visible, watched, since, choices=STRICT, builtin=False):
    return completion_time(
        visible_videos=visible,
        video_completions=watched,
        passing_since=since,
        choices=choices,
        has_builtin_videos=builtin,
    )


# P-17: both must hold; the time is when the later of the two came true.
def test_watched_first_then_passing_completes_at_passing():
    assert decide({A, B}, {A: at(1), B: at(2)}, at(10)) == at(10)


# P-17
def test_passing_first_then_last_video_completes_at_the_last_video():
    assert decide({A, B}, {A: at(1), B: at(20)}, at(10)) == at(20)


# P-17
def test_not_passing_never_completes():
    assert decide({A}, {A: at(1)}, None) is None
    assert decide(set(), {}, None, LENIENT) is None


# P-17: one visible video not watched blocks; videos the learner cannot see do not.
def test_a_missing_visible_video_blocks_and_an_invisible_one_does_not():
    assert decide({A, B}, {A: at(1)}, at(5)) is None
    assert decide({A}, {A: at(1)}, at(5)) == at(5)


# P-17: completions of blocks the learner cannot see do not move the time.
def test_completions_of_invisible_videos_are_ignored():
    assert decide({A}, {A: at(1), C: at(99)}, at(5)) == at(5)


# P-17: no visible tracked video at all is what the policy says.
@pytest.mark.parametrize(
    ("choices", "expected"), [(STRICT, None), (LENIENT, at(5))], ids=["not_countable", "grade"]
)
def test_no_visible_tracked_video_follows_the_policy(choices, expected):
    assert decide(set(), {}, at(5), choices) == expected
    assert decide([], {C: at(1)}, at(5), choices) == expected


# P-17: built-in videos make the course not countable, or are ignored.
def test_builtin_videos_follow_the_policy():
    assert decide({A}, {A: at(1)}, at(5), STRICT, builtin=True) is None
    ignoring = CompletionChoices(without_tracked_videos=NOT_COUNTABLE, builtin_videos=IGNORE)
    assert decide({A}, {A: at(1)}, at(5), ignoring, builtin=True) == at(5)
    assert rule.course_countable(STRICT, has_builtin_videos=True) is False
    assert rule.course_countable(STRICT, has_builtin_videos=False) is True
    assert rule.course_countable(LENIENT, has_builtin_videos=True) is True


@pytest.mark.parametrize(
    ("without", "builtin"),
    [("grade", NOT_COUNTABLE), (GRADE_ONLY, "never"), ("", ""), (None, IGNORE)],
)
def test_unknown_choices_are_refused(without, builtin):
    with pytest.raises(ValueError, match="must be one of"):
        CompletionChoices(without_tracked_videos=without, builtin_videos=builtin)


def test_missing_videos():
    assert rule.missing_videos({A, B, C}, {A: at(1)}) == {B, C}
    assert rule.missing_videos(set(), {A: at(1)}) == set()


# --- properties --------------------------------------------------------------------------

blocks = st.sets(st.sampled_from([f"block@{i}" for i in range(8)]), max_size=8)
minutes = st.integers(min_value=0, max_value=10_000)
choices = st.builds(
    CompletionChoices,
    without_tracked_videos=st.sampled_from(rule.WITHOUT_TRACKED_VIDEOS_CHOICES),
    builtin_videos=st.sampled_from(rule.BUILTIN_VIDEOS_CHOICES),
)


@st.composite
def facts(draw):
    visible = draw(blocks)
    watched = {key: at(draw(minutes)) for key in draw(blocks)}
    since = draw(st.one_of(st.none(), minutes.map(at)))
    return visible, watched, since


# P-17: a completion is never earlier than passing or than any visible video's completion,
# and it exists exactly when passing and every visible video is watched (or none is visible
# and the policy lets the grade decide).
@settings(max_examples=400, deadline=None)
@given(facts(), choices, st.booleans())
def test_completion_holds_exactly_when_both_hold(fact, policy, builtin):
    visible, watched, since = fact
    when = decide(visible, watched, since, policy, builtin)
    countable = not (builtin and policy.builtin_videos == NOT_COUNTABLE)
    all_watched = visible <= set(watched)
    if not visible:
        expected = since is not None and countable and policy.without_tracked_videos == GRADE_ONLY
    else:
        expected = since is not None and countable and all_watched
    assert (when is not None) == expected
    if when is not None:
        assert when >= since
        assert all(when >= watched[key] for key in visible)
        assert when == since or when in {watched[key] for key in visible}


# P-17: completions of videos the learner cannot see never change the verdict or its time.
@settings(max_examples=300, deadline=None)
@given(facts(), choices, st.dictionaries(st.text(min_size=1), minutes.map(at), max_size=4))
def test_invisible_completions_change_nothing(fact, policy, extra):
    visible, watched, since = fact
    noise = {f"other:{key}": when for key, when in extra.items()}
    assert decide(visible, watched, since, policy) == decide(
        visible, {**noise, **watched}, since, policy
    )


# P-17: the verdict does not depend on the order the facts arrive in (either order, once).
@settings(max_examples=200, deadline=None)
@given(facts(), choices, st.randoms())
def test_order_of_the_facts_does_not_matter(fact, policy, rnd):
    visible, watched, since = fact
    items = list(watched.items())
    rnd.shuffle(items)
    ordered = list(visible)
    rnd.shuffle(ordered)
    assert decide(ordered, dict(items), since, policy) == decide(visible, watched, since, policy)
