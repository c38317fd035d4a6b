"""`elearn_fake_pass`: the standalone site's exam (P-17, P-20). It runs only on the fake host,
refuses bad input with exit 2 and writes nothing then; passing twice credits once."""

from __future__ import annotations

import json
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from elearn_plugin.courses.models import CourseCompletion, CoursePassing
from elearn_plugin.ledger.models import LedgerEntry
from tests.helpers.devsite import run_site
from tests.unit.courses import completion_fixtures
from tests.unit.courses.completion_fixtures import COURSE, CREDITS, V1, V2, at, watch

ROOT = Path(__file__).resolve().parents[3]

# The fixtures of the course-completion tests.
course, fakes = completion_fixtures.course, completion_fixtures.fakes


def _run(*args) -> str:
    out = StringIO()
    call_command("elearn_fake_pass", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _refused(*args) -> CommandError:
    with pytest.raises(CommandError) as refused:
        _run(*args)
    assert refused.value.returncode == 2 and str(refused.value).strip()
    return refused.value


# P-17, P-20: the exam passed after the videos: completed and credited, once.
@pytest.mark.no_principal
def test_passing_the_fake_exam_completes_the_course_once(course, make_user):
    learner = make_user("ada")
    watch(learner, V1, at(1))
    watch(learner, V2, at(2))
    out = _run("ada", "--course", COURSE)
    assert "Exam passed" in out and f"{COURSE} completed at" in out and "2.00" in out
    _run("ada", "--course", COURSE)
    assert CourseCompletion.objects.count() == 1
    assert list(LedgerEntry.objects.values_list("amount", flat=True)) == [CREDITS]
    assert CoursePassing.objects.get().source == "event"


# P-17: before the videos, the command lists what is still to watch; failing is not passing.
@pytest.mark.no_principal
def test_the_command_says_what_is_missing(course, make_user):
    learner = make_user("bo")
    watch(learner, V1, at(1))
    assert "not passing" in _run("bo", "--course", COURSE, "--fail")
    out = _run("bo", "--course", COURSE)
    assert "1 tracked video(s) still to watch" in out and V2 in out
    assert not CourseCompletion.objects.exists()


# P-17: with the event lost, the catch-up job finds the grade.
@pytest.mark.no_principal
def test_a_lost_event_is_found_by_the_catch_up(course, make_user):
    learner = make_user("cy")
    watch(learner, V1, at(1))
    watch(learner, V2, at(2))
    assert "completed at" in _run("cy", "--course", COURSE, "--event-lost")
    assert CoursePassing.objects.get().source == "catch_up"


# P-31, P-33: only the fake host has a fake exam; bad input writes nothing.
@pytest.mark.no_principal
def test_fake_pass_refuses_bad_input(course, make_user, settings):
    make_user("dee")
    assert "username" in str(_refused("nobody", "--course", COURSE))
    assert "not a course key" in str(_refused("dee", "--course", "library-v1:Org+Lib"))
    assert "no course policy" in str(_refused("dee", "--course", "course-v1:Org+Other+2026"))
    with pytest.raises(CommandError):
        _run()  # no username
    with pytest.raises(CommandError):
        _run("dee", "--no-such-option")
    settings.ELEARN_HOST_ADAPTERS = "platform"
    assert "standalone site" in str(_refused("dee", "--course", COURSE))
    assert not CoursePassing.objects.exists() and not CourseCompletion.objects.exists()


# --- the standalone site: watch the workbench's video, pass its exam ------------------------

WATCH_AND_PASS = textwrap.dedent(
    """
    import django, json
    django.setup()
    from datetime import timedelta
    from io import StringIO
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from elearn_plugin.courses.models import CourseCompletion
    from elearn_plugin.host.access import STANDALONE_COURSE
    from elearn_plugin.host.structure import get_structure_adapter
    from elearn_plugin.ledger.models import LedgerEntry
    from elearn_plugin.video import services

    def exam():
        out = StringIO()
        call_command("elearn_fake_pass", "learner01", stdout=out)
        return out.getvalue()

    videos = get_structure_adapter().blocks_of_type(STANDALONE_COURSE, "elearn_video")
    learner = get_user_model().objects.get(username="learner01")
    before = exam()
    start = timezone.now() - timedelta(seconds=30)
    spec = services.VideoSpec(videos[0], STANDALONE_COURSE, 5.0, 1.0, "Tracked video")
    client = services.ClientInfo(ip="127.0.0.1", user_agent="script", browser_key="k")
    grant = services.start_session(learner, spec, client, now=start)
    body = {"token": grant.token, "seq": 1, "start": 0, "end": 5.0}
    report = services.accept_report(learner, body, client, now=start + timedelta(seconds=6))
    # The report's completion evaluated the course after its commit (an eager task here).
    watched = CourseCompletion.objects.filter(course_key=STANDALONE_COURSE).count()
    after = exam()
    print(json.dumps({
        "videos": videos,
        "before": before,
        "completed": report.completion_created,
        "completed_by_watching": watched,
        "after": after,
        "completions": CourseCompletion.objects.filter(course_key=STANDALONE_COURSE).count(),
        "credits": [str(a) for a in LedgerEntry.objects.filter(
            user_id=learner.pk, course_key=STANDALONE_COURSE).values_list("amount", flat=True)],
    }))
    """
)


# P-17, P-20: on the standalone site, a learner who passes the demo course's exam and watches
# its video gets the course's completion, credited once.
def test_the_standalone_site_completes_the_workbench_course(tmp_path):
    built = run_site(["manage.py", "elearn_demo", "--reset"], tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    assert "elearn_fake_pass" in built.stdout
    run = run_site(["-c", WATCH_AND_PASS], tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    facts = json.loads(run.stdout.strip().splitlines()[-1])
    assert len(facts["videos"]) == 1 and "tracked_video" in facts["videos"][0]
    assert "1 tracked video(s) still to watch" in facts["before"]
    assert facts["completed"] is True and facts["completed_by_watching"] == 1
    assert "completed at" in facts["after"]
    assert facts["completions"] == 1 and facts["credits"] == ["1.00"]
