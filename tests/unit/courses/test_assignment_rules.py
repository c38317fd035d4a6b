"""Assignment rules: job role -> required courses with a due rule, applied on hire, role change
and transfer, in bulk; one task per learner and course; bad rules refused (P-14, P-15, P-22)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.courses import assignment_rules as rules
from elearn_plugin.courses import services
from elearn_plugin.courses.models import Assignment, AssignmentRule, AssignmentSource
from elearn_plugin.org import services as org_services
from elearn_plugin.org.models import Person
from elearn_plugin.org.provisioning_rows import ProvisionRow
from tests.helpers.role_matrix import assert_role_matrix
from tests.unit.courses.assignment_fixtures import DATA, ETH, NOW, SAFE

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLERK_RULES = (
    "    - role: clerk\n"
    f'      courses: ["{SAFE}"]\n'
    "      due_days: 30\n"
    "    - role: clerk\n"
    f'      courses: ["{ETH}"]\n'
    "      due_on: 2026-04-30\n"
)


def open_rows(user_id: int) -> dict[str, Assignment]:
    return {
        row.course_key: row
        for row in Assignment.objects.filter(user_id=user_id, withdrawn_at__isnull=True)
    }


def verbs(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("id"))


# --- on hire, role change and transfer ---------------------------------------------------------


def test_a_hire_gets_the_role_courses_with_due_dates_and_enrolments(
    org, use_policy, fake_host, django_capture_on_commit_callbacks
):  # P-14
    use_policy(CLERK_RULES.replace("due_on: 2026-04-30", "due_days: 60"))
    assert rules.sync_policy_rules(when=NOW) == rules.SyncReport(created=2)
    row = ProvisionRow(2, "H001", "newhire", "New Hire", "nh@example.com", "hq", "clerk")
    with django_capture_on_commit_callbacks(execute=True):
        report = org_services.provision([row], update=False, actor=None)
    assert report.applied
    user_id = Person.objects.get(employee_id="H001").user_id
    rows = open_rows(user_id)
    # The org writers assign now, when the hire is recorded; due dates run from then.
    assert rows[SAFE].due_at == rows[SAFE].assigned_at + timedelta(days=30)
    assert rows[ETH].due_at == rows[ETH].assigned_at + timedelta(days=60)
    assert {r.source for r in rows.values()} == {AssignmentSource.JOB_ROLE}
    assert all(r.rule_id and r.rule.origin == "policy" for r in rows.values())
    assert fake_host.enrolments == {(SAFE, "newhire"), (ETH, "newhire")}
    assert all(r.enrolled_at is not None for r in open_rows(user_id).values())
    assert len(verbs("assignment.created")) == 2
    assert len(verbs("assignment.enrolled")) == 2


def test_a_due_date_rule_ends_at_the_end_of_that_day_in_the_policy_zone(
    org, people, use_policy
):  # P-14
    use_policy(CLERK_RULES)
    rules.sync_policy_rules(when=NOW)
    (user_id,) = people(1, "clerk")
    rules.apply_for_people([user_id], when=NOW)
    rows = open_rows(user_id)
    assert rows[SAFE].due_at == NOW + timedelta(days=30)
    assert rows[ETH].due_at == datetime(2026, 5, 1, tzinfo=SHANGHAI)


def test_a_role_change_withdraws_the_old_courses_and_assigns_the_new(org, people):  # P-14
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    rules.save_rule("engineer", ETH, due_days=10, when=NOW)
    (user_id,) = people(1, "clerk")
    rules.apply_for_people([user_id], when=NOW)
    assert set(open_rows(user_id)) == {SAFE}
    person = Person.objects.get(user_id=user_id)

    org_services.update_person(person.pk, job_role_id=org["roles"]["engineer"].pk)
    assert set(open_rows(user_id)) == {ETH}
    withdrawn = Assignment.objects.get(user_id=user_id, course_key=SAFE)
    assert withdrawn.withdrawn_reason_code == "role_changed"
    assert [e.data for e in verbs("assignment.withdrawn")] == [
        {"course_key": SAFE, "reason_code": "role_changed"}
    ]

    # Back in the old role: the same row is assigned again, with a new deadline.
    org_services.update_person(person.pk, job_role_id=org["roles"]["clerk"].pk)
    again = open_rows(user_id)[SAFE]
    assert again.pk == withdrawn.pk and again.assigned_at > NOW
    assert again.due_at == again.assigned_at + timedelta(days=30)
    assert set(open_rows(user_id)) == {SAFE}


def test_a_completed_course_is_kept_and_never_assigned_again(org, people):  # P-14, P-17
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    first, second = people(2, "clerk")
    rules.apply_for_people([first], when=NOW)
    services.record_completion(first, SAFE, NOW + timedelta(days=1), "import")
    services.record_completion(second, SAFE, NOW + timedelta(days=1), "import")
    Person.objects.filter(user_id__in=[first, second]).update(job_role=org["roles"]["engineer"])
    report = rules.apply_for_people([first, second], when=NOW + timedelta(days=2))
    assert report.withdrawn == 0 and set(open_rows(first)) == {SAFE}
    Person.objects.filter(user_id=second).update(job_role=org["roles"]["clerk"])
    assert rules.apply_for_people([second], when=NOW).already_completed == 1
    assert not Assignment.objects.filter(user_id=second).exists()


def test_a_transfer_applies_the_rules_the_learner_missed(org, people):  # P-6, P-14
    (user_id,) = people(1, "clerk")
    # A rule written without applying it (as a file edit before the next tick would be).
    AssignmentRule.objects.create(
        job_role=org["roles"]["clerk"], course_key=SAFE, due_days=7, origin="hr"
    )
    org_services.set_units_bulk([(user_id, org["units"]["sales"].pk)], NOW)
    row = open_rows(user_id)[SAFE]
    assert row.due_at == row.assigned_at + timedelta(days=7)


def test_departed_learners_and_learners_without_a_role(org, people):  # P-7, P-14
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    departed, roleless = people(1, "clerk") + people(1, None)
    Person.objects.filter(user_id=departed).update(status=Person.DEPARTED)
    report = rules.apply_for_people([departed, roleless], when=NOW)
    assert (report.people, report.assigned) == (0, 0)
    assert not Assignment.objects.exists()


def test_the_strictest_of_two_rules_for_a_course_gives_the_deadline(org, people, use_policy):
    # P-14: the file says 30 days, HR says 10: the learner is due in 10.
    use_policy(f'    - role: clerk\n      courses: ["{SAFE}"]\n      due_days: 30\n')
    rules.sync_policy_rules(when=NOW)
    rules.save_rule("clerk", SAFE, due_days=10, when=NOW)
    (user_id,) = people(1, "clerk")
    rules.apply_for_people([user_id], when=NOW)
    assert open_rows(user_id)[SAFE].due_at == NOW + timedelta(days=10)


def test_a_rule_whose_date_has_passed_assigns_nobody_new(org, people):  # P-14, P-22
    rules.save_rule("clerk", SAFE, due_on=date(2026, 3, 31), when=NOW)
    (user_id,) = people(1, "clerk")
    report = rules.apply_for_people([user_id], when=datetime(2026, 4, 2, tzinfo=SHANGHAI))
    assert (report.assigned, report.expired) == (0, 1)


def test_a_rolled_back_caller_leaves_no_assignment_and_enrols_nobody(
    org, people, fake_host, django_capture_on_commit_callbacks
):  # P-14, P-33
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    (user_id,) = people(1, "clerk")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            assert rules.apply_for_people([user_id], when=NOW).assigned == 1
            raise RuntimeError("the org writer failed after applying")
    assert not Assignment.objects.exists()
    assert fake_host.calls == []


# --- in bulk ---------------------------------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_query_count_does_not_depend_on_the_number_of_learners(org, people):  # P-14, P-33
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    rules.save_rule("clerk", ETH, due_days=60, when=NOW)
    rules.save_rule("engineer", ETH, due_days=20, when=NOW)
    # 3 and 30 learners: 60 rows stay within one of SQLite's bulk INSERT batches (999
    # parameters), so what is measured is the code's queries, not the backend's batching.
    few, many = people(3, "clerk"), people(30, "clerk")
    assigning = [
        _queries(lambda ids=ids: rules.apply_for_people(ids, when=NOW)) for ids in (few, many)
    ]
    assert Assignment.objects.filter(withdrawn_at__isnull=True).count() == 2 * 33
    assert assigning[0] == assigning[1]
    # Everyone becomes an engineer: SAFE withdrawn, ETH kept.
    Person.objects.filter(user_id__in=few + many).update(job_role=org["roles"]["engineer"])
    moving = [
        _queries(lambda ids=ids: rules.apply_for_people(ids, when=NOW)) for ids in (few, many)
    ]
    assert moving[0] == moving[1]
    assert Assignment.objects.filter(withdrawn_at__isnull=False).count() == 33
    # Nothing to do: the same small number of queries again.
    idle = [_queries(lambda ids=ids: rules.apply_for_people(ids, when=NOW)) for ids in (few, many)]
    assert idle[0] == idle[1] <= 4


# --- one task per learner and course -----------------------------------------------------------


def test_the_same_course_through_two_sources_is_one_task(org, people):  # P-14, P-22
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    (user_id,) = people(1, "clerk")
    rules.apply_for_people([user_id], when=NOW)
    services.assign(user_id, SAFE, NOW + timedelta(days=10), AssignmentSource.HR)
    assert Assignment.objects.filter(user_id=user_id, course_key=SAFE).count() == 2
    tasks = rules.tasks_due([user_id], NOW, NOW + timedelta(days=60))
    assert [(t.course_key, t.due_at) for t in tasks] == [(SAFE, NOW + timedelta(days=10))]
    assert tasks[0].missed  # not completed
    # The later row is not a second task in the window that holds only its deadline.
    assert rules.tasks_due([user_id], NOW + timedelta(days=20), NOW + timedelta(days=60)) == []


def test_a_withdrawn_assignment_is_never_a_task(org, people):  # P-14, P-22
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    (user_id,) = people(1, "clerk")
    rules.apply_for_people([user_id], when=NOW)
    Person.objects.filter(user_id=user_id).update(job_role=None)
    assert rules.apply_for_people([user_id], when=NOW).withdrawn == 1
    assert rules.tasks_due([user_id], NOW, NOW + timedelta(days=90)) == []


def test_a_task_completed_in_time_is_not_missed(org, people):  # P-22
    (user_id,) = people(1, "clerk")
    services.assign(user_id, SAFE, NOW + timedelta(days=5), AssignmentSource.HR)
    services.record_completion(user_id, SAFE, NOW + timedelta(days=4), "import")
    (task,) = rules.tasks_due([user_id], NOW, NOW + timedelta(days=30))
    assert not task.missed


def test_a_followed_elective_is_a_task_only_when_the_policy_says_so(
    org, people, use_policy
):  # P-15, P-22
    (user_id,) = people(1, "clerk")
    services.assign(user_id, DATA, NOW + timedelta(days=30), AssignmentSource.CHOSEN)
    window = (NOW, NOW + timedelta(days=60))
    assert rules.tasks_due([user_id], *window) == []
    use_policy(electives_are_tasks="true")
    assert [t.course_key for t in rules.tasks_due([user_id], *window)] == [DATA]


# --- the policy file's rules and HR's ---------------------------------------------------------


def test_policy_sync_is_idempotent_and_deactivates_removed_rules(
    org, people, use_policy
):  # P-14, P-33
    use_policy(CLERK_RULES)
    (user_id,) = people(1, "clerk")
    rules.sync_policy_rules(when=NOW)
    assert rules.sync_policy_rules(when=NOW) == rules.SyncReport()
    assert len(verbs("assignment_rule.saved")) == 2
    rules.apply_for_people([user_id], when=NOW)
    use_policy(f'    - role: clerk\n      courses: ["{SAFE}"]\n      due_days: 45\n')
    assert rules.sync_policy_rules(when=NOW) == rules.SyncReport(updated=1, deactivated=1)
    assert not AssignmentRule.objects.get(course_key=ETH).active
    assert verbs("assignment_rule.removed")[0].data == {
        "role_code": "clerk",
        "course_key": ETH,
        "origin_code": "policy",
    }
    rules.apply_for_people([user_id], when=NOW)
    assert set(open_rows(user_id)) == {SAFE}
    # The changed rule gives new assignments its deadline; existing ones keep theirs.
    assert open_rows(user_id)[SAFE].due_at == NOW + timedelta(days=30)


def test_hr_rules_apply_at_once_and_are_removed_with_their_assignments(org, people):  # P-14
    (user_id,) = people(1, "clerk")
    rule, created = rules.save_rule("clerk", SAFE, due_days=14, when=NOW)
    assert created and open_rows(user_id)[SAFE].due_at == NOW + timedelta(days=14)
    assert rules.save_rule("clerk", SAFE, due_days=14, when=NOW) == (rule, False)
    assert rules.remove_rule(rule.pk, when=NOW) is True
    assert rules.remove_rule(rule.pk, when=NOW) is False
    assert open_rows(user_id) == {}
    rule.refresh_from_db()
    assert rule.active is False  # kept for the history of its assignments


def test_a_policy_rule_is_not_removed_through_hr(org, use_policy):  # P-14
    use_policy(CLERK_RULES)
    rules.sync_policy_rules(when=NOW)
    policy_rule = AssignmentRule.objects.filter(origin="policy").first()
    with pytest.raises(rules.AssignmentRuleError, match="policy file"):
        rules.remove_rule(policy_rule.pk)


# --- bad input: clear errors, nothing written ---------------------------------------------------


@pytest.mark.parametrize(
    ("role", "course", "due", "message"),
    [
        ("cook", SAFE, {"due_days": 3}, 'Unknown job role "cook"'),
        ("clerk", "course-v1:Org+NOPE+2026", {"due_days": 3}, "Unknown course"),
        ("clerk", DATA, {"due_days": 3}, "is an elective"),
        ("clerk", "SAFE101", {"due_days": 3}, "is not a course key"),
        ("clerk", SAFE, {"due_on": date(2026, 3, 9)}, "is in the past"),
        ("clerk", SAFE, {"due_on": date(2026, 4, 1), "due_days": 3}, "exactly one"),
        ("clerk", SAFE, {}, "exactly one"),
        ("clerk", SAFE, {"due_days": 0}, "at least 1"),
    ],
)
def test_bad_hr_rules_are_refused_and_write_nothing(org, role, course, due, message):  # P-14
    before = AuditEvent.objects.count()
    with pytest.raises(rules.AssignmentRuleError) as info:
        rules.save_rule(role, course, when=NOW, **due)
    assert message in str(info.value)
    assert not AssignmentRule.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_policy_file_naming_unknown_roles_or_courses_changes_no_rule(org, use_policy):  # P-14
    use_policy(CLERK_RULES)
    rules.sync_policy_rules(when=NOW)
    use_policy(
        "    - role: cook\n"
        '      courses: ["course-v1:Org+NOPE+2026"]\n'
        "      due_days: 3\n"
        "    - role: clerk\n"
        f'      courses: ["{DATA}"]\n'
        "      due_on: 2026-03-01\n"
    )
    with pytest.raises(rules.AssignmentRuleError) as info:
        rules.sync_policy_rules(when=NOW)
    text = "\n".join(info.value.problems)
    assert 'Unknown job role "cook"' in text
    assert 'Unknown course "course-v1:Org+NOPE+2026"' in text
    assert "is an elective" in text
    assert "the due date 2026-03-01 is in the past" in text
    assert AssignmentRule.objects.filter(active=True).count() == 2  # as before


def test_an_unchanged_policy_rule_whose_date_passed_stays(org, use_policy):  # P-14
    use_policy(CLERK_RULES)
    rules.sync_policy_rules(when=NOW)
    assert rules.sync_policy_rules(when=datetime(2026, 6, 1, tzinfo=SHANGHAI)).updated == 0


# --- the admin: HR edits its rules through the services ------------------------------------------

URL = "/admin/elearn_plugin/assignmentrule/"
EVERYONE_ELSE = {
    role: 302
    for role in (
        "anonymous",
        "learner",
        "other_learner",
        "contact",
        "other_contact",
        "reviewer",
        "publisher",
    )
}
EVERYONE_ELSE["blocked"] = 403  # a suspended learner is stopped before the admin


@pytest.fixture
def hr_staff(role_users):
    # HR works in the Django admin as site staff (the admin lets in staff only).
    role_users.hr.is_staff = True
    role_users.hr.save(update_fields=["is_staff"])
    return role_users


def test_admin_role_matrix(client, org, hr_staff):  # P-14, P-31
    assert_role_matrix(client, "get", URL, {**EVERYONE_ELSE, "hr": 200})
    assert_role_matrix(client, "get", f"{URL}add/", {**EVERYONE_ELSE, "hr": 200})
    post = {"job_role": org["roles"]["sales"].pk, "course_key": SAFE, "due_days": "5"}
    assert_role_matrix(client, "post", f"{URL}add/", {**EVERYONE_ELSE, "hr": 302}, post)
    assert AssignmentRule.objects.get().origin == "hr"


def test_every_active_staff_member_is_hr_in_the_rule_admin(client, org, make_user):  # P-31
    # Every staff member is HR (ADR 0003); an inactive one is nobody.
    client.force_login(make_user(is_staff=True))
    assert client.get(URL).status_code == 200
    gone = make_user(is_staff=True)
    client.force_login(gone)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert client.get(URL).status_code == 302


def test_hr_adds_a_rule_and_the_role_is_assigned(client, org, people, hr_staff):  # P-14
    (user_id,) = people(1, "sales")
    client.force_login(hr_staff.hr)
    post = {"job_role": org["roles"]["sales"].pk, "course_key": f" {ETH} ", "due_days": "9"}
    assert client.post(f"{URL}add/", post).status_code == 302
    assert open_rows(user_id)[ETH].source == AssignmentSource.JOB_ROLE
    event = verbs("assignment_rule.saved")[0]
    assert event.actor_user_id == hr_staff.hr.pk and event.data["origin_code"] == "hr"


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"course_key": SAFE, "due_on": "2020-01-01"}, "is in the past"),
        ({"course_key": "course-v1:Org+NOPE+2026", "due_days": "3"}, "Unknown course"),
        ({"course_key": SAFE, "due_days": "3", "due_on": "2030-01-01"}, "exactly one"),
        ({"course_key": "not a key", "due_days": "3"}, "is not a course key"),
    ],
)
def test_the_admin_shows_bad_rules_and_writes_nothing(client, org, hr_staff, post, message):
    # P-14: a clear error on the form, never a 500, nothing written.
    client.force_login(hr_staff.hr)
    response = client.post(f"{URL}add/", {"job_role": org["roles"]["clerk"].pk, **post})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AssignmentRule.objects.exists()
    assert not verbs("assignment_rule.saved")


def test_policy_rules_are_read_only_in_the_admin(client, org, hr_staff, use_policy):  # P-14
    use_policy(CLERK_RULES)
    rules.sync_policy_rules(when=NOW)
    rule = AssignmentRule.objects.filter(origin="policy").first()
    client.force_login(hr_staff.hr)
    page = client.get(f"{URL}{rule.pk}/change/")
    assert page.status_code == 200 and b'name="due_days"' not in page.content
    post = {"due_days": "1"}
    assert client.post(f"{URL}{rule.pk}/change/", post).status_code == 403
    assert client.get(f"{URL}{rule.pk}/delete/").status_code == 403
    hr_rule, _ = rules.save_rule("clerk", SAFE, due_days=20)
    response = client.post(
        URL,
        {"action": "remove_selected_rules", "_selected_action": [rule.pk, hr_rule.pk]},
        follow=True,
    )
    assert "1 rules removed; 1 from the policy file left" in response.content.decode()
    assert AssignmentRule.objects.get(pk=rule.pk).active
    assert not AssignmentRule.objects.get(pk=hr_rule.pk).active


def test_hr_changes_the_deadline_of_its_rule(client, org, hr_staff):  # P-14
    rule, _ = rules.save_rule("clerk", SAFE, due_days=20)
    client.force_login(hr_staff.hr)
    response = client.post(f"{URL}{rule.pk}/change/", {"due_days": "25", "due_on": ""})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.due_days == 25
