"""Fixtures of the assignment tests: an organisation with job roles, courses and a policy file
whose `assignments` section each test writes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from elearn_plugin.audit import acting_as
from elearn_plugin.courses import services
from elearn_plugin.host import enrollment
from elearn_plugin.org import services as org_services
from elearn_plugin.org.models import Membership, Person
from elearn_plugin.policy.runtime import reset_policy_cache
from tests.unit.policy.helpers import DEFAULT_TEXT

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
SAFE = "course-v1:Org+SAFE101+2026"
ETH = "course-v1:Org+ETH201+2026"
DATA = "course-v1:Org+DATA110+2026"  # an elective
EMPTY_RULES = "  rules: []                     # job role -> required courses; each rule:"
_seq = itertools.count(1)


def policy_text(rules: str = "", **assignments: object) -> str:
    """The default policy with `rules` (YAML items) and other `assignments` keys replaced."""
    text = DEFAULT_TEXT
    if rules:
        text = text.replace(EMPTY_RULES, "  rules:\n" + rules.rstrip("\n"))
    for key, value in assignments.items():
        lines = [ln for ln in text.splitlines() if ln.startswith(f"  {key}:")]
        assert len(lines) == 1, key
        text = text.replace(lines[0], f"  {key}: {value}")
    return text


@pytest.fixture
def use_policy(settings, tmp_path):
    """Write a policy file and make it the site's: `use_policy(rules, **assignments)`."""

    def _use(rules: str = "", **assignments: object) -> None:
        path = tmp_path / f"policy-{next(_seq)}.yaml"
        path.write_text(policy_text(rules, **assignments), encoding="utf-8")
        settings.ELEARN_POLICY_FILE = str(path)
        reset_policy_cache()

    yield _use
    reset_policy_cache()


@pytest.fixture
def fake_host():
    """The in-memory enrolment adapter the test settings select, emptied."""
    enrollment._FAKE.clear()
    yield enrollment._FAKE
    enrollment._FAKE.clear()


@pytest.fixture
def org(db):
    """Two units, three job roles, two required courses and an elective."""
    with acting_as("system:tests"):  # also for tests marked `no_principal`
        root, _ = org_services.create_unit("root", "Root")
        hq, _ = org_services.create_unit("hq", "HQ", parent_id=root.pk)
        sales_unit, _ = org_services.create_unit("sales-unit", "Sales", parent_id=root.pk)
        roles = {
            code: org_services.upsert_job_role(code, code.title())[0]
            for code in ("clerk", "engineer", "sales")
        }
        for key, kind in ((SAFE, "required"), (ETH, "required"), (DATA, "elective")):
            services.save_course_policy(
                services.CoursePolicySpec(key, key.split("+")[1], Decimal("1"), kind, "internal")
            )
    return {"units": {"hq": hq, "sales": sales_unit}, "roles": roles}


@pytest.fixture
def people(org):
    """`people(n, role_code)`: n active learners of a role in hq (test data, no provisioning)."""

    def _make(n: int, role: str | None = "clerk", unit: str = "hq") -> list[int]:
        users = [
            get_user_model().objects.create_user(
                username=f"learner{next(_seq)}", email=f"l{next(_seq)}@example.com"
            )
            for _ in range(n)
        ]
        role_id = org["roles"][role].pk if role else None
        unit_id = org["units"][unit].pk
        Person.objects.bulk_create(
            [
                Person(
                    user=u,
                    employee_id=f"E{u.pk:06d}",
                    name=f"P{u.pk}",
                    unit_id=unit_id,
                    job_role_id=role_id,
                )
                for u in users
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, unit_id=unit_id, valid_from=NOW - timedelta(days=90))
                for u in users
            ]
        )
        return [u.pk for u in users]

    return _make
