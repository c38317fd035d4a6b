"""The instructor archive (P-27): sessions gathered from the classroom register and the
course teams, one instructor per name however it is typed, the imported rating kept apart
from the learners' ratings."""

from datetime import timedelta
from decimal import Decimal

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.host.roles import FakeRolesAdapter
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.teaching import queries, services
from elearn_plugin.teaching.models import Instructor, TaughtBy, TaughtOrigin, TeachingSession
from elearn_plugin.teaching.sync import sync_sessions
from tests.unit.teaching.conftest import COURSE, T0, assign, classroom, complete, course


def test_one_instructor_per_name_however_typed(make_user):  # P-27
    a, b = make_user(), make_user()
    classroom("Sun Li", [a])
    classroom("  sun   LI ", [b])
    classroom("ＳＵＮ ＬＩ", [a])  # full-width letters from a Chinese input method
    assert list(Instructor.objects.values_list("key", "name")) == [("sun li", "Sun Li")]
    assert TaughtBy.objects.filter(origin=TaughtOrigin.CLASSROOM).count() == 3


def test_sync_is_safe_to_run_twice(make_user):  # P-27, P-33
    classroom("Sun Li", [make_user()])
    course()
    events = AuditEvent.objects.count()
    again = sync_sessions()
    assert (again.sessions, again.instructors, again.links) == (0, 0, 0)
    assert AuditEvent.objects.count() == events
    assert TeachingSession.objects.count() == 2


def test_course_team_members_teach_the_online_run(make_user):  # P-27
    teacher = make_user(first_name="Wang", last_name="Fang")
    session = course()
    FakeRolesAdapter.grant(teacher.pk, COURSE)
    report = sync_sessions()
    assert report.links == 1
    instructor = Instructor.objects.get(user=teacher)
    assert instructor.name == "Wang Fang"
    assert TaughtBy.objects.get(instructor=instructor).session == session
    # A classroom session under the same name is the same instructor.
    classroom("wang fang", [make_user()])
    assert Instructor.objects.count() == 1


def test_hr_names_the_lecturer_of_a_bought_course(make_user):  # P-27, P-9
    course()
    taught, created = services.name_instructor(COURSE, "Dr. Liu Yang")
    again, created_again = services.name_instructor(COURSE, "dr. liu  yang")
    assert created and not created_again and again == taught
    assert taught.origin == TaughtOrigin.NAMED
    try:
        services.name_instructor("course-v1:No+Such+1", "Liu")
    except services.TeachingError as exc:
        assert exc.status == 400
    else:  # pragma: no cover
        raise AssertionError("an unknown course was accepted")


def test_imported_rating_is_labelled_and_not_mixed_into_the_learners_average(make_user):  # P-30
    a, b = make_user(), make_user()
    first = classroom("Sun Li", [a, b], rating="4.6", minutes=90)
    classroom("Sun Li", [a], rating="3.0", minutes=30)
    services.rate_session(a, first.pk, 2)
    services.rate_session(b, first.pk, 3)
    [row] = queries.instructor_rows()
    assert row["sessions"] == 2 and row["hours"] == Decimal("2.0")
    assert (row["rating"], row["rating_count"]) == (Decimal("2.50"), 2)
    assert (row["imported_rating"], row["imported_count"]) == (Decimal("3.80"), 2)


def test_the_history_lists_each_session_with_attendees_and_ratings(make_user):  # P-27
    a, b, c = make_user(), make_user(), make_user()
    talk = classroom("Sun Li", [a, b, c], rating="4.2", title="Security talk")
    run = course(title="Online ethics")
    services.name_instructor(COURSE, "Sun Li")
    for user in (a, b):
        assign(user)
    complete(a, at=T0 + timedelta(days=2))
    services.rate_session(a, talk.pk, 5, now=T0 + timedelta(days=1))
    services.rate_session(b, talk.pk, 4, now=T0 + timedelta(days=40))
    services.rate_session(a, run.pk, 3, now=T0 + timedelta(days=40))
    history = queries.instructor_history(Instructor.objects.get(), get_policy().tz)
    by_title = {s["title"]: s for s in history["sessions"]}
    assert by_title["Security talk"]["attendees"] == 3
    assert by_title["Security talk"]["rating"] == Decimal("4.50")
    assert by_title["Security talk"]["imported_rating"] == Decimal("4.20")
    assert by_title["Online ethics"]["attendees"] == 2
    assert by_title["Online ethics"]["completed"] == 1
    assert by_title["Online ethics"]["imported_rating"] is None
    assert [(m["month"], m["count"], m["rating"]) for m in history["months"]] == [
        ("2026-10", 1, Decimal("5.00")),
        ("2026-11", 2, Decimal("3.50")),
    ]
    assert history["summary"]["rating"] == Decimal("4.00")
    assert history["summary"]["imported_rating"] == Decimal("4.20")


def test_an_account_belongs_to_one_instructor(make_user):  # P-27
    user = make_user()
    classroom("Sun Li", [make_user()])
    classroom("Qian Jin", [make_user()])
    sun, qian = Instructor.objects.order_by("key")[1], Instructor.objects.order_by("key")[0]
    assert services.link_account(sun.pk, user.pk)
    assert not services.link_account(sun.pk, user.pk)
    try:
        services.link_account(qian.pk, user.pk)
    except services.TeachingError:
        pass
    else:  # pragma: no cover
        raise AssertionError("one account linked to two instructors")
    assert Instructor.objects.get(user=user) == sun


def test_an_online_run_is_dated_by_its_first_assignment(make_user):  # P-27
    run = course()
    assign(make_user(), at=T0 - timedelta(days=3))
    assign(make_user(), at=T0)
    sync_sessions()
    run.refresh_from_db()
    assert run.started_at == T0 - timedelta(days=3)
