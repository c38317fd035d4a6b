"""The watch report's own statements on MariaDB: locked read, conditional update (P-17)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from tests.integration.conftest import service_module

pytestmark = pytest.mark.usefixtures("migrated_models")

BLOCK = "block-v1:Org+IT+2026+type@elearn_video+block@intro"
COURSE = "course-v1:Org+IT+2026"
# Sunday 2026-01-11 20:00 in Asia/Shanghai: outside working hours.
T0 = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def video():
    return service_module("elearn_plugin.video.services")


def test_reports_round_trip_and_lock(make_user, video):
    # P-17: the read locks the row (FOR UPDATE) and maps JSON and date-times like the ORM.
    from elearn_plugin.video.models import WatchProgress

    learner = make_user()
    spec = video.VideoSpec(BLOCK, COURSE, 60.0)
    grant = video.start_session(learner, spec, now=T0)
    for seq in range(1, 4):
        body = {"token": grant.token, "seq": seq, "start": (seq - 1) * 10, "end": seq * 10}
        assert video.accept_report(learner, body, now=_at(seq * 10 + 1)).accepted
    statements = video._report_statements("default", connection.vendor)
    assert statements.select.endswith("FOR UPDATE")
    expected = WatchProgress.objects.get(user_id=learner.pk, block_key=BLOCK)
    with transaction.atomic():
        row = video._locked_progress("default", learner.pk, BLOCK)
    for field in WatchProgress._meta.concrete_fields:
        assert getattr(row, field.attname) == getattr(expected, field.attname), field.name
    assert row.intervals == [[0.0, 30.0]] and row.last_report_at == _at(31)
    assert len(row.pending_windows) == 1


def test_stale_version_changes_nothing(make_user, video):
    # P-17, P-33: the conditional update matches rows (not changed rows) and refuses a stale one.
    from elearn_plugin.video.models import WatchProgress

    learner = make_user()
    grant = video.start_session(learner, video.VideoSpec(BLOCK, COURSE, 60.0), now=T0)
    body = {"token": grant.token, "seq": 1, "start": 0, "end": 10}
    video.accept_report(learner, body, now=_at(11))
    progress = WatchProgress.objects.get(user_id=learner.pk)
    same = {name: getattr(progress, name) for name in video._REPORT_FIELDS}
    same["version"] = progress.version + 1
    # Identical values still count as one matched row (the backend reports found rows).
    assert video._update_progress("default", progress, same) is True
    assert video._update_progress("default", progress, same) is False
    assert WatchProgress.objects.get(pk=progress.pk).version == progress.version + 1
