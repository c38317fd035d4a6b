"""Every service writer of the shared core records its change in the audit trail (P-11, P-33).

`WRITERS` runs each writer once on a fresh database and expects an event with its verb, in
the same transaction (the writer's own). `test_adr_0001_names_no_unclassified_function`
reads ADR 0001: a function it lists must be a writer here, a reader, or a documented
exception, so a new writer cannot land without its audit row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from elearn_plugin.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ADR = Path(__file__).resolve().parents[3] / "docs" / "decisions" / "0001-shared-core-contract.md"
WHEN = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
COURSE = "course-v1:Org+Safety+2026"


def _unit(code: str = "HQ"):
    from elearn_plugin.org import services  # noqa: PLC0415

    return services.create_unit(code, code, actor=None)[0]


def _person(make_user, unit=None):
    from elearn_plugin.org.models import Person, Unit  # noqa: PLC0415

    user = make_user()
    unit = unit or Unit.objects.filter(code="HOME").first() or _unit("HOME")
    return Person.objects.create(user=user, employee_id=f"E{user.pk}", name="N", unit=unit)


def _org(name: str) -> Callable:
    def run(make_user):
        from elearn_plugin.org import services  # noqa: PLC0415

        if name == "create_unit":
            services.create_unit("R1", "Research")
        elif name == "update_unit":
            services.update_unit(_unit().pk, name="Head office")
        elif name == "move_unit":
            parent, child = _unit("A"), _unit("B")
            services.move_unit(child.pk, parent.pk)
        elif name == "upsert_job_role":
            services.upsert_job_role("nurse", "Nurse")
        elif name == "assign_contact":
            services.assign_contact(make_user().pk, _unit().pk)
        elif name == "remove_contact":
            user, unit = make_user(), _unit()
            services.assign_contact(user.pk, unit.pk)
            services.remove_contact(user.pk, unit.pk)
        elif name == "set_unit":
            services.set_unit(_person(make_user).user_id, _unit().pk, WHEN)
        elif name == "set_units_bulk":
            moves = [(_person(make_user).user_id, _unit().pk)]
            moves.append((_person(make_user).user_id, moves[0][1]))
            services.set_units_bulk(moves, WHEN)
        elif name == "update_person":
            services.update_person(_person(make_user).pk, name="Renamed")
        elif name == "record_history":
            entry = services.HistoryEntry(_person(make_user).user_id, hired_on=WHEN.date())
            services.record_history([entry])
        elif name == "clear_must_change_password":
            person = _person(make_user)
            type(person).objects.filter(pk=person.pk).update(must_change_password=True)
            services.clear_must_change_password(person.user_id)
        elif name == "provision":
            from elearn_plugin.org.provisioning_rows import ProvisionRow  # noqa: PLC0415

            _unit()
            services.upsert_job_role("clerk", "Clerk")
            row = ProvisionRow(2, "E100", "li.si", "Li Si", "li.si@example.com", "HQ", "clerk")
            services.provision([row], update=False, actor=None)

    return run


def _standing(name: str) -> Callable:
    def run(make_user):
        from elearn_plugin.standing import services  # noqa: PLC0415

        user = make_user()
        end = datetime.now(UTC) + timedelta(days=7)
        if name == "impose":
            services.impose(user.pk, "suspension", "sharing", "sharing:1", ends_at=end)
        elif name == "impose_bulk":
            spec = services.SanctionSpec(user.pk, "suspension", "sharing", "sharing:2", ends_at=end)
            services.impose_bulk([spec])
        else:
            sanction, _ = services.impose(user.pk, "freeze", "departure", "departure:1")
            if name == "lift":
                services.lift(sanction.pk, actor=None, reason="appeal")
            elif name == "lift_bulk":
                services.lift_bulk([sanction.pk], actor=None, reason="appeal")
            else:
                services.reinstate(user.pk, actor=None, reason="approved")

    return run


def _ledger(name: str) -> Callable:
    def run(make_user):
        from elearn_plugin.ledger import services  # noqa: PLC0415

        user = make_user()
        if name == "add_entry":
            services.add_entry(user.pk, services.CREDIT, Decimal("1.5"), "course:x", WHEN)
        else:
            spec = services.LedgerEntrySpec(
                user.pk, services.POINTS, Decimal("2"), "month:03", WHEN
            )
            services.add_entries_bulk([spec])

    return run


def _courses(name: str) -> Callable:
    def run(make_user):
        from elearn_plugin.courses import services  # noqa: PLC0415

        policy = services.CoursePolicySpec(COURSE, "Safety", Decimal("2"), "required", "internal")
        user = make_user()
        if name == "save_course_policy":
            services.save_course_policy(policy)
        elif name == "save_course_policies_bulk":
            services.save_course_policies_bulk([policy])
        elif name == "assign":
            services.assign(user.pk, COURSE, WHEN)
        elif name == "assign_bulk":
            services.assign_bulk([services.AssignmentSpec(user.pk, COURSE, WHEN)])
        elif name == "record_completion":
            services.record_completion(user.pk, COURSE, WHEN)
        else:
            services.record_completions_bulk([services.CompletionSpec(user.pk, COURSE, WHEN)])

    return run


def _assignments(name: str) -> Callable:
    def run(make_user):
        from dataclasses import replace  # noqa: PLC0415

        from elearn_plugin.courses import assignment_rules as rules  # noqa: PLC0415
        from elearn_plugin.courses import enrolments, services  # noqa: PLC0415
        from elearn_plugin.courses.models import AssignmentRule  # noqa: PLC0415
        from elearn_plugin.org import services as org  # noqa: PLC0415
        from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415
        from elearn_plugin.policy.schema import RoleCourseRule  # noqa: PLC0415

        policy = services.CoursePolicySpec(COURSE, "Safety", Decimal("2"), "required", "internal")
        services.save_course_policy(policy)
        role, _ = org.upsert_job_role("clerk", "Clerk")
        person = _person(make_user)
        type(person).objects.filter(pk=person.pk).update(job_role=role)
        if name == "save_rule":
            rules.save_rule("clerk", COURSE, due_days=30)
        elif name == "remove_rule":
            rules.remove_rule(rules.save_rule("clerk", COURSE, due_days=30)[0].pk)
        elif name == "sync_policy_rules":
            site = get_policy()
            wanted = (RoleCourseRule("clerk", COURSE, None, 30),)
            rules.sync_policy_rules(
                replace(site, assignments=replace(site.assignments, rules=wanted))
            )
        elif name in ("apply_for_people", "apply_for_role"):
            AssignmentRule.objects.create(job_role=role, course_key=COURSE, due_days=9, origin="hr")
            if name == "apply_for_people":
                rules.apply_for_people([person.user_id])
            else:
                rules.apply_for_role(role.pk)
        else:
            services.assign(person.user_id, COURSE, WHEN + timedelta(days=30))
            if name == "confirm_enrolment":
                enrolments.confirm_enrolment(user_id=person.user_id, course_key=COURSE, when=WHEN)
            else:
                enrolments.enrol_assigned([(person.user_id, COURSE)], when=WHEN)

    return run


def _passing(name: str) -> Callable:
    def run(make_user):
        from elearn_plugin.courses import passing, services  # noqa: PLC0415

        policy = services.CoursePolicySpec(COURSE, "Safety", Decimal("2"), "required", "internal")
        services.save_course_policy(policy)
        user = make_user()
        if name == "record_passing_status":
            passing.record_passing_status(user.pk, COURSE, True, WHEN)
        elif name == "record_passing_status_bulk":
            passing.record_passing_status_bulk([passing.PassingSpec(user.pk, COURSE, True, WHEN)])
        else:
            from elearn_plugin.host.structure import _FAKE  # noqa: PLC0415
            from elearn_plugin.video.models import VideoCompletion  # noqa: PLC0415

            video = "block-v1:Org+Safety+2026+type@elearn_video+block@v1"
            _FAKE.register(COURSE, "elearn_video", [video])
            VideoCompletion.objects.create(
                user_id=user.pk, course_key=COURSE, block_key=video, watched_seconds=60.0,
                wall_seconds=60.0, first_watched_at=WHEN, last_watched_at=WHEN, completed_at=WHEN,
            )  # fmt: skip
            passing.record_passing_status(user.pk, COURSE, True, WHEN)
            try:
                passing.evaluate_completions(COURSE, [user.pk])
            finally:
                _FAKE.clear()

    return run


def _learning(name: str) -> Callable:
    def run(make_user):
        from elearn_plugin.learning import services  # noqa: PLC0415

        user = make_user()
        spec = services.ActivitySpec(
            user_id=user.pk,
            kind="video",
            source_key=f"t:{user.pk}",
            started_at=WHEN,
            ended_at=WHEN + timedelta(minutes=5),
            seconds=300,
        )
        if name == "record_activity":
            services.record_activity(spec)
        elif name == "record_activities_bulk":
            services.record_activities_bulk([spec])
        elif name == "grant_slot":
            services.grant_slot(
                user.pk, WHEN, WHEN + timedelta(hours=1), actor=make_user(), reason="r"
            )
        else:
            session = services.ClassroomSessionSpec("s1", "First aid", "Wang", WHEN, 3600)
            services.record_classroom_session(session, [user.pk])

    return run


def _killswitch(make_user):
    from elearn_plugin.killswitch import set_learning_enabled  # noqa: PLC0415

    set_learning_enabled(False, actor=None)


def _video(name: str) -> Callable:
    def run(make_user):
        from elearn_plugin.video import services  # noqa: PLC0415

        spec = services.VideoSpec(
            "block-v1:Org+Safety+2026+type@elearn_video+block@v1", COURSE, 60.0
        )
        if name == "register_video":
            services.register_video(spec)
        else:
            services.replace_builtin_findings(
                COURSE, ["block-v1:Org+Safety+2026+type@video+block@b"]
            )

    return run


WRITERS: dict[str, tuple[Callable, str]] = {
    **{
        n: (_org(n), v)
        for n, v in {
            "create_unit": "unit.created",
            "update_unit": "unit.updated",
            "move_unit": "unit.moved",
            "upsert_job_role": "job_role.saved",
            "assign_contact": "contact.assigned",
            "remove_contact": "contact.removed",
            "set_unit": "membership.changed",
            "set_units_bulk": "membership.changed",
            "update_person": "person.updated",
            "record_history": "person.updated",
            "clear_must_change_password": "person.password_changed",
            "provision": "person.created",
        }.items()
    },
    **{
        n: (_standing(n), v)
        for n, v in {
            "impose": "sanction.imposed",
            "impose_bulk": "sanction.imposed",
            "lift": "sanction.lifted",
            "lift_bulk": "sanction.lifted",
            "reinstate": "sanction.lifted",
        }.items()
    },
    "add_entry": (_ledger("add_entry"), "ledger.entry_added"),
    "add_entries_bulk": (_ledger("add_entries_bulk"), "ledger.entry_added"),
    **{
        n: (_courses(n), v)
        for n, v in {
            "save_course_policy": "course_policy.saved",
            "save_course_policies_bulk": "course_policy.saved",
            "assign": "assignment.created",
            "assign_bulk": "assignment.created",
            "record_completion": "completion.recorded",
            "record_completions_bulk": "completion.recorded",
        }.items()
    },
    **{
        n: (_passing(n), v)
        for n, v in {
            "record_passing_status": "course_passing.changed",
            "record_passing_status_bulk": "course_passing.changed",
            "evaluate_completions": "completion.recorded",
        }.items()
    },
    **{
        n: (_assignments(n), v)
        for n, v in {
            "save_rule": "assignment_rule.saved",
            "remove_rule": "assignment_rule.removed",
            "sync_policy_rules": "assignment_rule.saved",
            "apply_for_people": "assignment.created",
            "apply_for_role": "assignment.created",
            "confirm_enrolment": "assignment.enrolled",
            "enrol_assigned": "assignment.enrolled",
        }.items()
    },
    **{
        n: (_learning(n), v)
        for n, v in {
            "record_activity": "activity.recorded",
            "record_activities_bulk": "activity.recorded",
            "grant_slot": "slot.granted",
            "record_classroom_session": "classroom.recorded",
        }.items()
    },
    "set_learning_enabled": (_killswitch, "learning.switched"),
    "register_video": (_video("register_video"), "video.registered"),
    "replace_builtin_findings": (_video("replace_builtin_findings"), "builtin_videos.found"),
}

# Listed in ADR 0001 but read only, or not a change of their own (with the reason).
READERS = {
    "active_block", "allowed_now", "block_of", "check", "classify_interval",
    "closed_months_between", "contact_unit_ids", "health", "is_big_week", "is_working_day",
    "learner_totals", "learning_refusal", "learning_resumed_at", "learning_state", "month_of",
    "months_back", "next_allowed_start", "period_from_label", "period_of", "permitted_slots",
    "require", "roles_of", "subtree_unit_ids", "totals", "unit_id_of", "unit_totals",
    "working_intervals", "load_policy", "parse_policy", "reset_policy_cache", "head", "status",
    "verify", "resolve", "check_rule", "tasks_due",
}  # fmt: skip
NOT_THEIR_OWN_CHANGE = {
    # Host account adapters: called by provision and the lifecycle, which record the change.
    "create_user": "person.created by provision",
    "create_users_bulk": "person.created by provision",
    "update_users_bulk": "person.updated by provision",
    "make_unusable": "the lifecycle's departure event",
    "revoke_tokens": "follows sanction.imposed after commit",
    # The outbox row is the message of a decision audited in the same transaction.
    "enqueue": "the decision's event",
    "enqueue_bulk": "the decision's event",
    "send_pending": "delivery is recorded on the outbox row",
    # The trail itself, and the jobs' runner (each job's writers record their changes).
    "record": "is the trail",
    "record_bulk": "is the trail",
    "acting_as": "names the actor",
    "run_tick": "its jobs' writers record",
    "fn": "a job's signature",
    "password_sink": "a callback of provision",
    # Registers enrol_assigned (a writer above) to run after the caller's commit.
    "enrol_after_commit": "enrol_assigned's assignment.enrolled",
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_each_writer_records_its_change(name, make_user):  # P-11
    run, verb = WRITERS[name]
    run(make_user)
    assert AuditEvent.objects.filter(verb=verb).exists(), f"{name} changed state without {verb}"
    assert not AuditEvent.objects.filter(actor_user_id__isnull=True, actor_system="").exists()


def test_adr_0001_names_no_unclassified_function():
    named = set(re.findall(r"`([a-z_]+)\(", ADR.read_text(encoding="utf-8")))
    assert len(named) > 40, "the ADR was not read"
    unclassified = sorted(named - set(WRITERS) - READERS - set(NOT_THEIR_OWN_CHANGE))
    assert not unclassified, f"ADR 0001 functions not known to write an audit row: {unclassified}"
