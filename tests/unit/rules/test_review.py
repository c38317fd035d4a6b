"""Which review step may follow which, who takes it, and the checklist (P-10, P-11, P-13)."""

import pytest

from elearn_plugin.rules import review as rules

ALL_TICKED = dict.fromkeys(rules.CHECKLIST, True)
SUBMITTER, REVIEWER = 1, 2


def _check(step, state, actor=REVIEWER, **kw):
    return rules.check_step(step, state, actor_id=actor, submitter_id=SUBMITTER, **kw)


LEGAL = {
    ("submit", "draft", SUBMITTER),
    ("submit", "changes_requested", SUBMITTER),
    ("start", "submitted", REVIEWER),
    ("approve", "submitted", REVIEWER),
    ("approve", "in_review", REVIEWER),
    ("reject", "submitted", REVIEWER),
    ("reject", "in_review", REVIEWER),
    ("request_changes", "submitted", REVIEWER),
    ("request_changes", "in_review", REVIEWER),
    ("withdraw", "draft", SUBMITTER),
    ("withdraw", "submitted", SUBMITTER),
    ("withdraw", "changes_requested", SUBMITTER),
}


@pytest.mark.parametrize("state", rules.STATES)
@pytest.mark.parametrize("step", sorted(rules.STEPS))
def test_every_transition_is_legal_or_refused(step, state):  # P-11
    taker = SUBMITTER if rules.STEPS[step][2] == rules.SUBMITTER else REVIEWER
    refusal = _check(step, state, actor=taker, checklist=ALL_TICKED, reason="because")
    if (step, state, taker) in LEGAL:
        assert refusal is None
    else:
        assert refusal is not None and refusal.code == "illegal_transition"


def test_final_states_allow_nothing():
    for state in rules.FINAL:
        for step in rules.STEPS:
            assert _check(step, state, checklist=ALL_TICKED, reason="x") is not None


def test_nobody_reviews_their_own_submission():  # P-11
    refusal = _check("approve", "in_review", actor=SUBMITTER, checklist=ALL_TICKED)
    assert refusal.code == "own_submission"


def test_only_the_submitter_withdraws():
    assert _check("withdraw", "submitted", actor=REVIEWER).code == "not_submitter"


@pytest.mark.parametrize("missing", rules.CHECKLIST)
def test_approval_needs_every_check(missing):  # P-11, P-13
    ticks = {**ALL_TICKED, missing: False}
    refusal = _check("approve", "in_review", checklist=ticks)
    assert refusal.code == "checklist_incomplete" and missing in refusal.message


def test_only_true_is_a_tick():
    ticks = {**ALL_TICKED, "syllabus": "yes"}
    assert rules.missing_checks(ticks) == ["syllabus"]


@pytest.mark.parametrize("step", ["reject", "request_changes"])
def test_a_refusal_needs_a_reason(step):
    assert _check(step, "in_review", reason="  ").code == "reason_required"


def test_unknown_steps_are_refused():
    assert _check("publish", "draft").code == "unknown_step"
