"""Learners' ratings (P-30): only attendees of a classroom session or learners who completed
the online course rate it, once each (a new rating replaces), and bad input changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.teaching import services
from elearn_plugin.teaching.models import SessionRating
from tests.unit.teaching.conftest import T0, assign, classroom, complete, course

URL = reverse("elearn:teaching-rate")


@pytest.fixture
def people(make_user):
    return make_user(), make_user(), make_user()


def test_an_attendee_rates_the_classroom_session(people):  # P-30
    attendee, _other, _third = people
    session = classroom("Sun Li", [attendee])
    rating, created = services.rate_session(attendee, session.pk, 4, "  Clear examples ")
    assert created and (rating.score, rating.comment) == (4, "Clear examples")
    event = AuditEvent.objects.get(verb="session_rating.saved")
    assert event.actor_user_id == attendee.pk
    assert event.data == {"session_id": session.pk, "score_code": "4", "created": True}


def test_a_learner_who_completed_the_course_rates_it(people):  # P-30
    learner, enrolled, _third = people
    session = course()
    assign(learner)
    assign(enrolled)
    complete(learner, at=T0 + timedelta(days=3))
    services.rate_session(learner, session.pk, 5)
    with pytest.raises(services.TeachingError) as refused:
        services.rate_session(enrolled, session.pk, 5)  # enrolled, not completed
    assert refused.value.status == 403
    assert SessionRating.objects.filter(session=session).count() == 1


def test_rating_again_replaces_the_first(people):  # P-30
    attendee, _other, _third = people
    session = classroom("Sun Li", [attendee])
    services.rate_session(attendee, session.pk, 2, "slow")
    rating, created = services.rate_session(attendee, session.pk, 5)
    assert not created
    assert list(SessionRating.objects.values_list("user_id", "score", "comment")) == [
        (attendee.pk, 5, "")
    ]


def test_someone_who_did_not_attend_is_refused_with_a_message(client, people):  # P-30, P-31
    attendee, other, _third = people
    session = classroom("Sun Li", [attendee])
    other_session = classroom("Qian Jin", [other])
    client.force_login(other)
    response = client.post(URL, {"session": session.pk, "score": "5"})
    assert response.status_code == 403
    assert "Only learners who attended the session" in response.content.decode()
    assert not SessionRating.objects.exists()
    assert not AuditEvent.objects.filter(verb="session_rating.saved").exists()
    # Their own session is theirs to rate, through the page.
    response = client.post(URL, {"session": other_session.pk, "score": "3", "comment": "ok"})
    assert response.status_code == 200 and "your rating is saved" in response.content.decode()
    assert SessionRating.objects.get().session == other_session


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "0"}, "from 1 to 5"),
        ({"score": "6"}, "from 1 to 5"),
        ({"score": "-1"}, "from 1 to 5"),
        ({"score": "four"}, "from 1 to 5"),
        ({"score": ""}, "from 1 to 5"),
        ({"score": "4", "comment": "x" * 1001}, "under 1000 characters"),
        ({"score": "4", "session": "999999"}, "no such session"),
        ({"score": "4", "session": "abc"}, "Choose a session"),
        ({"score": "4", "session": ""}, "Choose a session"),
    ],
)
def test_bad_input_is_answered_400_and_nothing_is_written(client, people, data, message):
    attendee, _other, _third = people
    session = classroom("Sun Li", [attendee])
    client.force_login(attendee)
    response = client.post(URL, {"session": session.pk, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SessionRating.objects.exists()


def test_the_page_lists_what_the_learner_may_rate(client, people):  # P-30
    attendee, _other, third = people
    classroom("Sun Li", [attendee], title="Fire drill")
    classroom("Qian Jin", [third], title="Not theirs")
    mine = course(title="Ethics online")
    assign(attendee)
    complete(attendee, at=T0 + timedelta(days=1))
    services.rate_session(attendee, mine.pk, 4)
    client.force_login(attendee)
    page = client.get(URL).content.decode()
    assert "Fire drill" in page and "Ethics online" in page and "Not theirs" not in page
    assert "Sun Li" in page
    assert "Your rating: 4 of 5" in page
