"""Enrolment of assigned learners after commit, its confirmation, followed electives, reminders
sent once, and the tick job run twice (P-14, P-15, P-32, P-33)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.courses import assignment_rules as rules
from elearn_plugin.courses import enrolments, services
from elearn_plugin.courses.assignment_jobs import assignment_rules_job
from elearn_plugin.courses.assignment_tasks import enqueue_reminders
from elearn_plugin.courses.models import Assignment, AssignmentSource
from elearn_plugin.host.enrollment import EnrollmentError, EnrollResult
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.tick.services import run_tick
from tests.unit.courses.assignment_fixtures import DATA, ETH, NOW, SAFE


class BrokenHost:
    """A host that refuses a course, fails some learners, or is down."""

    def __init__(self, refuse: str = "", fail: set[str] | None = None, down: bool = False):
        self.refuse, self.fail, self.down = refuse, fail or set(), down

    def bulk_enroll(self, course_key, usernames):
        if self.down:
            raise ConnectionError("host down")
        if course_key == self.refuse:
            raise EnrollmentError("no such course", partial=EnrollResult(enrolled=[]))
        result = EnrollResult()
        for name in usernames:
            (result.failed if name in self.fail else result.enrolled).append(name)
        return result


def unconfirmed() -> set[tuple[int, str]]:
    return set(
        Assignment.objects.filter(enrolled_at__isnull=True, withdrawn_at__isnull=True).values_list(
            "user_id", "course_key"
        )
    )


@pytest.fixture
def assigned(org, people):
    """Two clerks assigned SAFE and ETH by their role (not yet enrolled)."""
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    rules.save_rule("clerk", ETH, due_days=30, when=NOW)
    ids = people(2, "clerk")
    rules.apply_for_people(ids, when=NOW)  # in the test's transaction: no enrolment yet
    return ids


# --- failures are reported; assignments stand and are retried -----------------------------------


def test_enrolment_failures_are_counted_without_personal_data(
    assigned, monkeypatch, caplog
):  # P-14, P-32
    from django.contrib.auth import get_user_model

    names = list(
        get_user_model().objects.filter(pk__in=assigned).values_list("username", flat=True)
    )
    host = BrokenHost(refuse=ETH, fail={names[0]})
    monkeypatch.setattr(enrolments, "get_enrollment_adapter", lambda: host)
    pairs = [(uid, key) for uid in assigned for key in (SAFE, ETH)]
    with caplog.at_level(logging.INFO, logger="elearn_plugin"):
        report = enrolments.enrol_assigned(pairs, when=NOW)
    assert (report.enrolled, report.failed, report.confirmed) == (1, 3, 1)
    # Every assignment stands; the three not enrolled stay unconfirmed for the retry.
    assert Assignment.objects.filter(withdrawn_at__isnull=True).count() == 4
    assert unconfirmed() == {(assigned[0], SAFE), (assigned[0], ETH), (assigned[1], ETH)}
    assert caplog.records and not any(name in caplog.text for name in names)
    assert ETH in caplog.text  # the course key names what failed

    # The host is fixed: the tick's retry enrols the rest, once.
    monkeypatch.setattr(enrolments, "get_enrollment_adapter", lambda: BrokenHost())
    retried = enrolments.retry_unconfirmed(when=NOW)
    assert (retried.enrolled, retried.confirmed) == (3, 3)
    assert unconfirmed() == set()
    assert enrolments.retry_unconfirmed(when=NOW).courses == 0


def test_a_host_that_is_down_never_breaks_the_committed_change(
    org, people, monkeypatch, django_capture_on_commit_callbacks
):  # P-14, P-33
    monkeypatch.setattr(enrolments, "get_enrollment_adapter", lambda: BrokenHost(down=True))
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    ids = people(3, "clerk")
    with django_capture_on_commit_callbacks(execute=True):
        report = rules.apply_for_people(ids, when=NOW)
    assert report.assigned == 3
    assert unconfirmed() == {(uid, SAFE) for uid in ids}


def test_withdrawn_and_completed_assignments_are_not_retried(assigned, fake_host):  # P-14
    services.record_completion(assigned[0], SAFE, NOW, "import")
    Assignment.objects.filter(user_id=assigned[1], course_key=ETH).update(withdrawn_at=NOW)
    pairs = set(enrolments.unconfirmed_pairs())
    assert pairs == {(assigned[0], ETH), (assigned[1], SAFE)}


# --- confirmation and followed electives ------------------------------------------------------


def test_the_host_event_confirms_every_open_assignment_once(assigned):  # P-14
    uid = assigned[0]
    services.assign(uid, SAFE, NOW + timedelta(days=3), AssignmentSource.HR)
    enrolments.confirm_enrolment(user_id=uid, course_key=SAFE, when=NOW)
    enrolments.confirm_enrolment(user_id=uid, course_key=SAFE, when=NOW + timedelta(hours=1))
    rows = Assignment.objects.filter(user_id=uid, course_key=SAFE)
    assert {r.enrolled_at for r in rows} == {NOW}
    events = AuditEvent.objects.filter(verb="assignment.enrolled")
    assert events.count() == 2 and {e.data["course_key"] for e in events} == {SAFE}


def test_own_enrolment_in_an_elective_becomes_a_followed_elective(org, people, use_policy):  # P-15
    use_policy(elective_target_days=21)
    (uid,) = people(1, "clerk")
    enrolments.confirm_enrolment(user_id=uid, course_key=DATA, when=NOW)
    enrolments.confirm_enrolment(user_id=uid, course_key=DATA, when=NOW + timedelta(days=1))
    row = Assignment.objects.get(user_id=uid)
    assert (row.course_key, row.source) == (DATA, AssignmentSource.CHOSEN)
    assert (row.due_at, row.assigned_at, row.enrolled_at) == (NOW + timedelta(days=21), NOW, NOW)


def test_only_electives_of_learners_are_followed(org, people, make_user):  # P-15
    (uid,) = people(1, "clerk")
    enrolments.confirm_enrolment(user_id=uid, course_key=SAFE, when=NOW)  # required, unassigned
    staff = make_user(is_staff=True)  # not a person of the organisation
    enrolments.confirm_enrolment(user_id=staff.pk, course_key=DATA, when=NOW)
    enrolments.confirm_enrolment(user_id=uid, course_key="course-v1:Org+Unknown+1", when=NOW)
    assert not Assignment.objects.exists()


def test_a_bad_enrolment_event_is_refused(org):  # P-14
    with pytest.raises(services.CourseDataError):
        enrolments.confirm_enrolment(user_id=1, course_key="not a key", when=NOW)
    with pytest.raises(services.CourseDataError):
        enrolments.confirm_enrolment(user_id=1, course_key=DATA, when=NOW.replace(tzinfo=None))


# --- reminders ---------------------------------------------------------------------------------


def test_one_reminder_per_task_before_its_deadline(org, people, use_policy):  # P-14, P-15
    use_policy(reminder_days_before=3)
    a, b, c, d = people(4, "clerk")
    soon = NOW + timedelta(days=2)
    services.assign(a, SAFE, soon, AssignmentSource.JOB_ROLE)
    services.assign(a, SAFE, soon + timedelta(hours=5), AssignmentSource.HR)  # same task
    services.assign(b, DATA, soon, AssignmentSource.CHOSEN)  # followed elective
    services.assign(c, ETH, NOW + timedelta(days=10), AssignmentSource.HR)  # not yet
    services.assign(d, SAFE, soon, AssignmentSource.HR)
    services.record_completion(d, SAFE, NOW, "import")  # done
    assert enqueue_reminders(NOW) == 2
    assert enqueue_reminders(NOW + timedelta(hours=1)) == 0  # sent once
    messages = {
        m.user_id: m for m in OutboxMessage.objects.filter(message_type="assignment_due_reminder")
    }
    assert set(messages) == {a, b}
    assert messages[a].context == {
        "course_key": SAFE,
        "course_title": "SAFE101",
        "due_on": "2026-03-12",
    }
    Assignment.objects.filter(user_id=c).update(withdrawn_at=NOW)
    assert enqueue_reminders(NOW + timedelta(days=8)) == 0  # withdrawn: never reminded


# --- the tick job --------------------------------------------------------------------------------


@pytest.mark.no_principal
def test_the_job_syncs_applies_enrols_and_reminds_and_is_safe_twice(
    org, people, use_policy, fake_host
):  # P-14, P-33
    use_policy(
        f'    - role: clerk\n      courses: ["{SAFE}"]\n      due_days: 2\n',
        reminder_days_before=3,
    )
    ids = people(3, "clerk")
    first = run_tick(now=NOW, only="courses.assignment_rules").jobs["courses.assignment_rules"]
    assert first.status == "ok", first
    summary = first.summary
    assert (summary["rules_created"], summary["assigned"], summary["reminders"]) == (1, 3, 3)
    assert unconfirmed() == set() and len(fake_host.enrolments) == 3
    events = AuditEvent.objects.filter(verb="assignment.created")
    assert {e.actor_system for e in events} == {"job:courses.assignment_rules"}
    before = AuditEvent.objects.count()
    again = run_tick(now=NOW + timedelta(minutes=5), only="courses.assignment_rules")
    second = again.jobs["courses.assignment_rules"].summary
    assert second["assigned"] == second["withdrawn"] == second["reminders"] == 0
    assert second["rules_created"] == second["enrolment_retried"] == 0
    assert AuditEvent.objects.count() == before
    assert Assignment.objects.filter(user_id__in=ids).count() == 3


def test_the_job_reports_a_bad_policy_rule_and_keeps_the_stored_rules(
    org, people, use_policy
):  # P-14
    rules.save_rule("clerk", SAFE, due_days=30, when=NOW)
    use_policy(f'    - role: cook\n      courses: ["{SAFE}"]\n      due_days: 2\n')
    (uid,) = people(1, "clerk")
    summary = assignment_rules_job(NOW)
    assert summary["rules_problems"] == ['Unknown job role "cook".']
    assert summary["assigned"] == 1
