"""Every change to the organisation is recorded with its actor, in its own transaction.

P-1 (the unit tree, people and their units), P-2 (provisioning), P-11 (who did what is
traceable), P-33 (nothing lost or doubled: no event without its change, none for a no-op).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elearn_plugin import audit
from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.org import admin as org_admin
from elearn_plugin.org import people, services
from elearn_plugin.org.models import JobRole, Membership, Person, TrainingContact, Unit
from elearn_plugin.org.provisioning_rows import ProvisionRow, read_rows

User = get_user_model()
T0 = datetime(2026, 3, 1, tzinfo=UTC)
T1 = datetime(2026, 4, 1, tzinfo=UTC)
TESTS = (None, "system:tests")  # (actor_user_id, actor_system) of the suite's principal
HEADER = "employee_id,username,name,email,unit,job_role\n"
GOOD = (
    "E001,ada,Ada Lovelace,ada@example.com,hq,clerk\n"
    "HR/002,zhangsan,张三,,sales,engineer\n"  # employee IDs may hold "/"
)


def events(verb: str | None = None) -> list[tuple]:
    """(verb, target, actor, data) of the recorded events, in order."""
    rows = AuditEvent.objects.order_by("id")
    if verb is not None:
        rows = rows.filter(verb=verb)
    return [
        (e.verb, e.target, (e.actor_user_id, e.actor_system), e.data)
        for e in rows.only("verb", "target", "actor_user_id", "actor_system", "data")
    ]


def unit_target(unit_id: int) -> str:
    return f"elearn_plugin.unit:{unit_id}"


def user_target(user_id: int) -> str:
    return f"{User._meta.label_lower}:{user_id}"


@pytest.fixture
def clean(tree, roles):
    """The tree and the roles, with the events their fixtures recorded forgotten."""
    assert {e.actor_system for e in AuditEvent.objects.all()} == {"system:fixtures"}
    AuditEvent.objects.all().delete()
    return tree


@pytest.fixture
def learner(clean, make_user):
    user = make_user()
    Person.objects.create(user=user, employee_id="E1", name="Ada", unit=clean["hq"])
    Membership.objects.create(user=user, unit=clean["hq"], valid_from=T0)
    return user


@pytest.fixture
def hr(make_user):
    return make_user(is_staff=True, is_superuser=True)


@pytest.fixture
def hr_request(hr):
    request = RequestFactory().post("/admin/")
    request.user = hr
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


# --- units ---------------------------------------------------------------------------------


def test_create_unit_records_its_code_parent_and_kind(clean, hr):  # P-1, P-11
    unit, created = services.create_unit(
        "north", "North", parent_id=clean["hq"].id, kind="subsidiary", actor=hr
    )
    assert created
    assert events() == [
        (
            "unit.created",
            unit_target(unit.id),
            (hr.id, ""),
            {"unit_code": "north", "parent_id": clean["hq"].id, "kind_code": "subsidiary"},
        )
    ]


def test_create_unit_by_the_running_principal(clean):  # P-11
    root, _ = services.create_unit("root2", "Root")
    assert events() == [
        (
            "unit.created",
            unit_target(root.id),
            TESTS,
            {"unit_code": "root2", "parent_id": None, "kind_code": "department"},
        )
    ]


def test_creating_an_existing_unit_again_records_nothing(clean):  # P-33
    services.create_unit("hq", "Headquarters", parent_id=clean["group"].id)
    assert events() == []


@pytest.mark.parametrize(
    ("code", "kwargs"),
    [
        ("north", {"parent_id": 999_999}),  # no such parent: fails after the lock
        ("north", {"kind": "planet"}),
        ("has space", {}),  # a code is a slug, so never refused later by the trail
        ("hq", {"parent_id": None}),  # exists with other values
    ],
)
def test_a_refused_unit_records_nothing(clean, code, kwargs):  # P-1, P-33
    before = Unit.objects.count()
    with pytest.raises(services.OrgError):
        services.create_unit(code, "North", **kwargs)
    assert Unit.objects.count() == before
    assert events() == []


def test_update_unit_records_the_changed_fields_only(clean, hr):  # P-1, P-11
    hq = clean["hq"]
    assert services.update_unit(hq.id, name="HQ", kind="department", travel_heavy=True, actor=hr)
    assert events() == [
        (
            "unit.updated",
            unit_target(hq.id),
            (hr.id, ""),
            {"changed_fields": ["name", "travel_heavy"]},
        )
    ]
    AuditEvent.objects.all().delete()
    assert services.update_unit(hq.id, name="HQ", travel_heavy=True, actor=hr) is False
    assert events() == []


@pytest.mark.parametrize(
    "kwargs", [{"name": ""}, {"kind": "planet"}], ids=["empty-name", "unknown-kind"]
)
def test_a_refused_unit_update_records_nothing(clean, kwargs):  # P-33
    with pytest.raises(services.OrgError):
        services.update_unit(clean["hq"].id, **kwargs)
    with pytest.raises(services.OrgError):
        services.update_unit(999_999, name="Nowhere")
    assert Unit.objects.get(id=clean["hq"].id).name == "Headquarters"
    assert events() == []


def test_move_unit_records_old_and_new_parent_once(clean, hr):  # P-1, P-11
    hq = clean["hq"]
    assert services.move_unit(hq.id, clean["sub"].id, actor=hr)
    # The subtree (sales) moves with it; only the unit that was moved is recorded.
    assert events() == [
        (
            "unit.moved",
            unit_target(hq.id),
            (hr.id, ""),
            {"parent_id": clean["sub"].id, "old_parent_id": clean["group"].id},
        )
    ]
    AuditEvent.objects.all().delete()
    assert services.move_unit(hq.id, clean["sub"].id) is False
    assert events() == []


def test_a_refused_move_records_nothing(clean):  # P-1, P-33
    with pytest.raises(services.OrgError):
        services.move_unit(clean["hq"].id, clean["sales"].id)  # a cycle
    with pytest.raises(services.OrgError):
        services.move_unit(clean["hq"].id, 999_999)
    assert events() == []


# --- job roles -----------------------------------------------------------------------------


def test_upsert_job_role_records_creation_and_renaming(clean, hr):  # P-11
    role, created = services.upsert_job_role("nurse", "Nurse", actor=hr)
    assert created
    services.upsert_job_role("nurse", "Nurse")  # unchanged: nothing
    services.upsert_job_role("nurse", "Registered nurse")
    target = f"elearn_plugin.jobrole:{role.id}"
    assert events() == [
        ("job_role.saved", target, (hr.id, ""), {"role_code": "nurse", "created": True}),
        ("job_role.saved", target, TESTS, {"role_code": "nurse", "created": False}),
    ]


@pytest.mark.parametrize(("code", "name"), [("", "Nurse"), ("nurse", ""), ("a b", "Nurse")])
def test_a_refused_job_role_records_nothing(clean, code, name):  # P-33
    with pytest.raises(services.OrgError):
        services.upsert_job_role(code, name)
    assert not JobRole.objects.filter(name="Nurse").exists()
    assert events() == []


# --- training contacts ---------------------------------------------------------------------


def test_assign_contact_records_new_contacts_and_lead_changes(clean, make_user, hr):  # P-11
    contact = make_user()
    unit_id = clean["hq"].id
    services.assign_contact(contact.id, unit_id, actor=hr)
    services.assign_contact(contact.id, unit_id, actor=hr)  # unchanged: nothing
    services.assign_contact(contact.id, unit_id, is_lead=True, actor=hr.id)
    target = user_target(contact.id)
    assert events() == [
        (
            "contact.assigned",
            target,
            (hr.id, ""),
            {"unit_id": unit_id, "is_lead": False, "created": True},
        ),
        (
            "contact.assigned",
            target,
            (hr.id, ""),
            {"unit_id": unit_id, "is_lead": True, "created": False},
        ),
    ]


def test_assigning_to_a_missing_unit_records_nothing(clean, make_user):  # P-33
    with pytest.raises(services.OrgError):
        services.assign_contact(make_user().id, 999_999)
    assert events() == []


def test_remove_contact_records_only_a_real_removal(clean, make_user, hr):  # P-11, P-33
    contact = make_user()
    services.assign_contact(contact.id, clean["hq"].id)
    AuditEvent.objects.all().delete()
    assert services.remove_contact(contact.id, clean["hq"].id, actor=hr) is True
    assert services.remove_contact(contact.id, clean["hq"].id, actor=hr) is False
    assert events() == [
        ("contact.removed", user_target(contact.id), (hr.id, ""), {"unit_id": clean["hq"].id})
    ]


# --- memberships ---------------------------------------------------------------------------


def test_set_unit_records_the_move(learner, clean, hr):  # P-1, P-11
    assert services.set_unit(learner.id, clean["sales"].id, T1, actor=hr)
    assert services.set_unit(learner.id, clean["sales"].id, T1, actor=hr) is False
    assert events() == [
        (
            "membership.changed",
            user_target(learner.id),
            (hr.id, ""),
            {
                "unit_id": clean["sales"].id,
                "old_unit_id": clean["hq"].id,
                "starts_at": T1.isoformat(),
            },
        )
    ]


def test_a_refused_unit_change_records_nothing(learner, clean):  # P-1, P-33
    with pytest.raises(services.OrgError):
        services.set_unit(learner.id, clean["sales"].id, datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(services.OrgError):
        services.set_units_bulk([(learner.id, clean["sales"].id), (learner.id, clean["hq"].id)])
    assert events() == []


def test_bulk_unit_change_records_one_event_per_mover_per_chunk(
    clean, make_user, monkeypatch, django_assert_max_num_queries
):  # P-1, P-11
    users = [make_user() for _ in range(30)]
    Person.objects.bulk_create(
        [Person(user=u, employee_id=f"B{u.id}", name="x", unit=clean["hq"]) for u in users]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, unit=clean["hq"], valid_from=T0) for u in users]
    )
    # A third stays in hq (already there: no event), the others move.
    moves = [
        (u.id, clean["hq"].id if i % 3 == 0 else clean["sales"].id) for i, u in enumerate(users)
    ]
    monkeypatch.setattr(people, "CHUNK", 10)
    table = AuditEvent._meta.db_table
    # The units' check and a savepoint (3), then per chunk of 10: lock the people, read the
    # open memberships, close them, open the new ones, set the unit, one audit INSERT (6);
    # then the assignment rules, once for the call (P-14; one query while there are none).
    with (
        django_assert_max_num_queries(3 + 3 * 6 + 1),
        CaptureQueriesContext(connection) as captured,
    ):
        assert services.set_units_bulk(moves, T1) == 20
    audit_inserts = [q for q in captured if q["sql"].startswith(f'INSERT INTO "{table}"')]
    assert len(audit_inserts) == 3  # one `record_bulk` per chunk, never one per learner
    recorded = events("membership.changed")
    assert sorted(target for _v, target, _a, _d in recorded) == sorted(
        user_target(uid) for uid, unit_id in moves if unit_id == clean["sales"].id
    )
    assert {(actor, data["old_unit_id"], data["unit_id"]) for _v, _t, actor, data in recorded} == {
        (TESTS, clean["hq"].id, clean["sales"].id)
    }
    assert services.set_units_bulk(moves, T1) == 0  # again: nothing changes, nothing recorded
    assert len(events()) == 20


# --- people --------------------------------------------------------------------------------


def test_update_person_records_fields_and_unit_in_one_transaction(learner, clean, roles, hr):
    # P-1, P-11
    person = learner.elearn_person
    assert services.update_person(
        person.id,
        name="Ada L.",
        job_role_id=roles["clerk"].id,
        unit_id=clean["sales"].id,
        when=T1,
        actor=hr,
    )
    assert events() == [
        (
            "person.updated",
            user_target(learner.id),
            (hr.id, ""),
            {"changed_fields": ["job_role", "name"]},
        ),
        (
            "membership.changed",
            user_target(learner.id),
            (hr.id, ""),
            {
                "unit_id": clean["sales"].id,
                "old_unit_id": clean["hq"].id,
                "starts_at": T1.isoformat(),
            },
        ),
    ]
    AuditEvent.objects.all().delete()
    assert services.update_person(person.id, name="Ada L.", unit_id=clean["sales"].id) is False
    assert events() == []


def test_a_refused_person_update_records_nothing(learner, clean):  # P-1, P-33
    person = learner.elearn_person
    with pytest.raises(services.OrgError):
        services.update_person(person.id, job_role_id=999_999)
    with pytest.raises(services.OrgError):
        services.update_person(person.id, name="   ")
    # The name would change, but the unit change is dated before the open membership: the
    # whole call is undone, its `person.updated` with it.
    with pytest.raises(services.OrgError):
        services.update_person(
            person.id,
            name="Ada L.",
            unit_id=clean["sales"].id,
            when=datetime(2026, 1, 1, tzinfo=UTC),
        )
    assert Person.objects.get(id=person.id).name == "Ada"
    assert events() == []


def test_clearing_the_password_flag_records_the_change(clean, make_user):  # P-2, P-11
    user = make_user()
    Person.objects.create(
        user=user, employee_id="E9", name="Ada", unit=clean["hq"], must_change_password=True
    )
    assert services.clear_must_change_password(user.id, actor=user) is True
    assert services.clear_must_change_password(user.id, actor=user) is False
    assert events() == [("person.password_changed", user_target(user.id), (user.id, ""), {})]


@pytest.mark.no_principal
def test_the_change_page_records_the_learner_as_actor(clean, make_user, client):  # P-2, P-11
    user = make_user(password="Initial-pass-42")
    Person.objects.create(
        user=user, employee_id="E9", name="Ada", unit=clean["hq"], must_change_password=True
    )
    services.forget_password_flags([user.id])
    client.force_login(user)
    new = "Quite-different-77"
    response = client.post(
        reverse("elearn:password_change"),
        {"old_password": "Initial-pass-42", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert events() == [("person.password_changed", user_target(user.id), (user.id, ""), {})]


@pytest.mark.no_principal
def test_an_org_change_nobody_made_is_refused_before_writing(clean, make_user):  # P-11
    with pytest.raises(audit.AuditError, match="no actor"):
        services.create_unit("north", "North")
    with pytest.raises(audit.AuditError, match="no actor"):
        services.assign_contact(make_user().id, clean["hq"].id)
    with pytest.raises(audit.AuditError, match="no actor"):
        services.provision([], update=False, actor=None)
    assert not Unit.objects.filter(code="north").exists()
    assert not TrainingContact.objects.exists()
    assert events() == []


# --- provisioning --------------------------------------------------------------------------


def provision_rows(body: str) -> list[ProvisionRow]:
    rows, problems = read_rows(HEADER + body)
    assert not problems
    return rows


def test_provision_records_each_new_person_and_issued_password(clean, roles, make_user):
    # P-2, P-11
    lead = make_user()
    services.assign_contact(lead.id, clean["group"].id, is_lead=True)
    AuditEvent.objects.all().delete()
    report = services.provision(provision_rows(GOOD), update=False, actor=lead)
    assert report.applied and report.created == 2
    ada = Person.objects.get(employee_id="E001")
    zhang = Person.objects.get(employee_id="HR/002")
    by_lead = (lead.id, "")
    assert events() == [
        (
            "person.created",
            user_target(ada.user_id),
            by_lead,
            {"unit_id": clean["hq"].id, "role_code": "clerk"},
        ),
        (
            "person.created",
            user_target(zhang.user_id),
            by_lead,
            {"unit_id": clean["sales"].id, "role_code": "engineer"},
        ),
        ("person.password_issued", user_target(ada.user_id), by_lead, {}),
        ("person.password_issued", user_target(zhang.user_id), by_lead, {}),
    ]
    # The same file again: nothing new, nothing recorded (P-33).
    AuditEvent.objects.all().delete()
    assert services.provision(provision_rows(GOOD), update=True, actor=lead).unchanged == 2
    assert events() == []


def test_provision_update_records_changed_fields_and_moves(clean, roles):  # P-2, P-11
    services.provision(provision_rows(GOOD), update=False, actor=None, when=T0)
    AuditEvent.objects.all().delete()
    changed = (
        "E001,ada,Ada King,ada@example.com,sales,engineer\n"  # name, job role, unit
        "HR/002,zhangsan,张三,zs@example.com,sales,engineer\n"  # e-mail only
    )
    report = services.provision(provision_rows(changed), update=True, actor=None, when=T1)
    assert report.applied and report.updated == 2
    ada = Person.objects.get(employee_id="E001").user_id
    zhang = Person.objects.get(employee_id="HR/002").user_id
    assert events() == [
        ("person.updated", user_target(ada), TESTS, {"changed_fields": ["job_role", "name"]}),
        ("person.updated", user_target(zhang), TESTS, {"changed_fields": ["email"]}),
        (
            "membership.changed",
            user_target(ada),
            TESTS,
            {
                "unit_id": clean["sales"].id,
                "old_unit_id": clean["hq"].id,
                "starts_at": T1.isoformat(),
            },
        ),
    ]


def test_a_dry_run_records_nothing(clean, roles):  # P-2, P-33
    services.provision(provision_rows(GOOD), update=False, actor=None)
    AuditEvent.objects.all().delete()
    body = GOOD.replace("Ada Lovelace", "Ada King") + "E003,lisi,李四,,sub-it,clerk\n"
    report = services.provision(provision_rows(body), update=True, actor=None, dry_run=True)
    assert report.dry_run and not report.applied
    assert (report.created, report.updated) == (1, 1)
    assert events() == []


def test_a_file_with_problems_or_a_failing_sink_records_nothing(clean, roles):  # P-2, P-33
    bad = GOOD + "E003,lisi,李四,,no-such-unit,clerk\n"
    report = services.provision(provision_rows(bad), update=False, actor=None)
    assert report.problems and not report.applied

    def sink(_issued):
        raise RuntimeError("the hand-out file could not be written")

    with pytest.raises(RuntimeError):
        services.provision(provision_rows(GOOD), update=False, actor=None, password_sink=sink)
    assert not Person.objects.exists()
    assert events() == []


@pytest.mark.no_principal
def test_the_provisioning_command_is_the_actor(clean, roles, tmp_path):  # P-2, P-11
    from io import StringIO  # noqa: PLC0415

    from django.core.management import call_command  # noqa: PLC0415

    path = tmp_path / "people.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    call_command(
        "elearn_provision",
        "--csv",
        str(path),
        "--passwords-out",
        str(tmp_path / "pw.csv"),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    actors = {actor for _v, _t, actor, _d in events()}
    assert actors == {(None, "command:elearn_provision")}
    assert len(events("person.created")) == len(events("person.password_issued")) == 2


def test_bulk_provisioning_records_a_row_per_change_in_few_queries(
    clean, roles, django_assert_max_num_queries
):  # P-2, P-11
    n = 300
    rows = [
        ProvisionRow(i + 2, f"E{i:05d}", f"user{i:05d}", f"Name {i}", "", "hq", "clerk")
        for i in range(n)
    ]
    services.provision(rows, update=False, actor=None, when=T0)
    assert len(events("person.created")) == len(events("person.password_issued")) == n
    AuditEvent.objects.all().delete()
    moved = [
        ProvisionRow(r.line, r.employee_id, r.username, f"{r.name}!", "", "sales", "engineer")
        for r in rows
    ]
    # Reading and writing accounts, people and memberships in bulk, plus the audit INSERTs:
    # 3 per verb here (SQLite: 111 events per INSERT; MySQL: one per 1000). 29 in all here;
    # one query per learner would be 300 more.
    with django_assert_max_num_queries(40):
        report = services.provision(moved, update=True, actor=None, when=T1)
    assert report.updated == n
    assert len(events("person.updated")) == len(events("membership.changed")) == n
    assert len(events()) == 2 * n


# --- admin ---------------------------------------------------------------------------------


def test_admin_changes_are_recorded_as_the_signed_in_user(clean, hr_request, hr, make_user):
    # P-1, P-11
    unit_admin = org_admin.UnitAdmin(Unit, admin.site)
    unit = Unit(code="north", name="North", parent=clean["hq"], kind="department")
    unit_admin.save_model(hr_request, unit, None, change=False)
    unit = Unit.objects.get(code="north")
    unit.name, unit.parent_id = "North office", clean["sub"].id
    unit_admin.save_model(hr_request, unit, None, change=True)

    role_admin = org_admin.JobRoleAdmin(JobRole, admin.site)
    role_admin.save_model(hr_request, JobRole(code="nurse", name="Nurse"), None, change=False)

    contact_admin = org_admin.TrainingContactAdmin(TrainingContact, admin.site)
    contact = make_user()
    obj = TrainingContact(user=contact, unit=clean["hq"], is_lead=True)
    contact_admin.save_model(hr_request, obj, None, change=False)
    obj.unit_id = clean["sales"].id  # moved to another unit: removed there, assigned here
    contact_admin.save_model(hr_request, obj, None, change=True)
    contact_admin.delete_queryset(hr_request, TrainingContact.objects.all())

    assert [(verb, actor) for verb, _t, actor, _d in events()] == [
        ("unit.created", (hr.id, "")),
        ("unit.updated", (hr.id, "")),
        ("unit.moved", (hr.id, "")),
        ("job_role.saved", (hr.id, "")),
        ("contact.assigned", (hr.id, "")),
        ("contact.removed", (hr.id, "")),
        ("contact.assigned", (hr.id, "")),
        ("contact.removed", (hr.id, "")),
    ]


def test_admin_cannot_write_around_the_services(clean, hr_request):  # P-1, P-11
    # Deleting a unit or a job role has no service (and would cascade to contacts unrecorded).
    assert org_admin.UnitAdmin(Unit, admin.site).has_delete_permission(hr_request) is False
    role_admin = org_admin.JobRoleAdmin(JobRole, admin.site)
    assert role_admin.has_delete_permission(hr_request) is False
    # A role's code is its natural key: editing it would create another role.
    assert "code" in role_admin.get_readonly_fields(hr_request, JobRole.objects.first())
    assert "code" not in role_admin.get_readonly_fields(hr_request, None)
