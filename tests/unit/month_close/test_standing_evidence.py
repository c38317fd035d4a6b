"""A standing stores what its columns do not; a sanction gets the verdict's whole evidence
back (P-16, P-21, P-22, P-23)."""

import json

from hypothesis import given, settings

from elearn_plugin.month_close.consequences import (
    IN_COLUMNS,
    standing_evidence,
    standing_fields,
    verdict_evidence,
)
from elearn_plugin.rules.month_verdicts import judge
from tests.unit.rules.test_month_verdicts import CLOSED, JAN, facts_st, rules_st


def _round_trip(verdict) -> dict:
    """The evidence as the apply step rebuilds it from a standing written for `verdict`."""
    f = json.loads(json.dumps(standing_fields(verdict)))  # as stored and read back
    columns = (
        f["consequences"],
        f["exempt"],
        f["quota"],
        f["required_completed"],
        f["quota_met"],
        f["months_with_misses"],
    )
    return verdict_evidence(verdict.user_id, verdict.period_label, columns, f["evidence"])


# P-22, P-23: whatever the verdict, the sanction's evidence is the verdict's, key for key
@settings(max_examples=200, deadline=None)
@given(facts=facts_st, rules=rules_st)
def test_the_whole_evidence_comes_back_from_a_standing(facts, rules):
    verdict = judge(facts, rules, JAN, CLOSED)
    whole = json.loads(json.dumps(verdict.evidence()))
    assert _round_trip(verdict) == whole
    # A standing written before its evidence was trimmed gives the same.
    columns = (
        list(verdict.consequences),
        verdict.exempt or "",
        verdict.quota_required,
        verdict.required_completed,
        verdict.quota_met,
        verdict.months_with_misses,
    )
    assert verdict_evidence(verdict.user_id, verdict.period_label, columns, whole) == whole


@settings(max_examples=100, deadline=None)
@given(facts=facts_st, rules=rules_st)
def test_a_standing_stores_no_fact_twice(facts, rules):  # P-16
    stored = standing_evidence(judge(facts, rules, JAN, CLOSED).evidence())
    assert not IN_COLUMNS & set(stored)
    assert all(value not in (None, []) for value in stored.values())
