"""On the standalone site, a new hire in a job role gets its required courses (P-14, P-15).

The dev site's policy (conf/demo/policy.yaml) gives engineers Workplace Safety, due 30 days
after assignment: provisioning a new engineer through the real command assigns it with that
due date and enrols them in the (fake) host course, once.
"""

import json
import textwrap
from pathlib import Path

import pytest

from tests.helpers.devsite import run_site

ROOT = Path(__file__).resolve().parents[3]
SAFETY = "course-v1:ElearnDemo+SAFE101+2026"

FACTS = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from elearn_plugin.courses.models import Assignment
    rows = Assignment.objects.filter(user__username="new.engineer").order_by("course_key")
    print(json.dumps([
        {
            "course": a.course_key,
            "source": a.source,
            "days": (a.due_at - a.assigned_at).days,
            "enrolled": a.enrolled_at is not None,
            "withdrawn": a.withdrawn_at is not None,
        }
        for a in rows
    ]))
    """
)


# P-14, P-15: hired as an engineer -> Workplace Safety, due in 30 days, enrolled; once.
@pytest.mark.parametrize("runs", [2])
def test_a_new_engineer_gets_workplace_safety_with_its_due_date(tmp_path, runs):
    built = run_site(["manage.py", "elearn_demo", "--reset"], tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    csv = tmp_path / "hire.csv"
    csv.write_text(
        "employee_id,username,name,email,unit,job_role\n"
        "N900,new.engineer,New Engineer,new.engineer@example.com,it,engineer\n",
        encoding="utf-8",
    )
    passwords = tmp_path / "passwords.csv"
    hired = run_site(
        ["manage.py", "elearn_provision", "--csv", str(csv), "--passwords-out", str(passwords)],
        tmp_path,
    )
    assert hired.returncode == 0, hired.stderr[-3000:]
    for _ in range(runs):  # the tick's catch-up changes nothing more
        ticked = run_site(
            ["manage.py", "elearn_tick", "--only", "courses.assignment_rules"], tmp_path
        )
        assert ticked.returncode == 0, ticked.stderr[-3000:]
    facts = run_site(["-c", FACTS], tmp_path)
    assert facts.returncode == 0, facts.stderr[-3000:]
    assert json.loads(facts.stdout.strip().splitlines()[-1]) == [
        {"course": SAFETY, "source": "job_role", "days": 30, "enrolled": True, "withdrawn": False}
    ]
