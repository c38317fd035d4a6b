"""The learning-time job reads permitted slots once per batch, not per learner (P-18, P-20)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from elearn_plugin.learning import services as learning
from elearn_plugin.learning.models import LearningActivity
from elearn_plugin.video import services
from tests.unit.video.conftest import OFFICE, TUESDAY_MORNING, enrol, later


def _pending_sessions(make_user, spec, count: int) -> list:
    contact = make_user()
    learners = []
    for _ in range(count):
        user = make_user()
        enrol(user)
        learning.grant_slot(
            user.pk,
            TUESDAY_MORNING - timedelta(minutes=5),
            TUESDAY_MORNING + timedelta(hours=1),
            actor=contact,
            reason="project deadline",
        )
        grant = services.start_session(user, spec, OFFICE, now=TUESDAY_MORNING)
        body = {"token": grant.token, "seq": 1, "start": 0, "end": 20}
        assert services.accept_report(user, body, OFFICE, now=later(TUESDAY_MORNING, 21)).accepted
        learners.append(user)
    return learners


def _flush_queries(make_user, spec, count: int) -> int:
    LearningActivity.objects.all().delete()
    learners = _pending_sessions(make_user, spec, count)
    with CaptureQueriesContext(connection) as queries:
        assert services.flush_learning_time(now=later(TUESDAY_MORNING, 2000)) == count
    # Every learner's time is in their permitted slot: classified as a window (P-18).
    rows = LearningActivity.objects.filter(user_id__in=[u.pk for u in learners])
    assert set(rows.values_list("classification", flat=True)) == {"window"}
    return len(queries)


# P-18, P-20: the job's queries do not grow with the learners of a batch
def test_flush_reads_the_slots_of_a_batch_in_one_query(
    make_user, spec, django_assert_max_num_queries
):
    few = _flush_queries(make_user, spec, 2)
    many = _flush_queries(make_user, spec, 6)
    assert many == few
    LearningActivity.objects.all().delete()
    _pending_sessions(make_user, spec, 3)
    with django_assert_max_num_queries(few):
        services.flush_learning_time(now=later(TUESDAY_MORNING, 2000))
