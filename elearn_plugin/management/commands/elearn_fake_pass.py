"""`manage.py elearn_fake_pass USERNAME [--course KEY] [--fail] [--event-lost]`: the standalone
site's (fake) exam, so its demo course can be completed (P-17, P-20).

Only on the standalone site (`ELEARN_HOST_ADAPTERS = "fake"`): there is no LMS grading there.
The command does what the LMS does when a learner's course grade is updated: the fake grades
adapter persists the grade (as `PersistentCourseGrade.update_or_create`), then the
`COURSE_PASSING_STATUS_UPDATED` payload (the real openedx-events data class) goes to the
plugin's receiver. With `--event-lost` the event is not delivered and the completion catch-up
job runs instead, as the next tick would. It prints whether the course is now completed, or
which tracked videos are still to watch. Run it again: nothing is recorded or credited twice.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin.conf import setting
from elearn_plugin.courses.keys import parse_course_key
from elearn_plugin.management.base import AuditedCommand

EXIT_REFUSED = 2


def _refuse(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_REFUSED)


def _deliver_event(user, course_key: str, is_passing: bool) -> None:
    """What `lms/djangoapps/grades/events.py` sends after the grade update."""
    from opaque_keys.edx.keys import CourseKey  # noqa: PLC0415
    from openedx_events.learning.data import (  # noqa: PLC0415
        CourseData,
        CoursePassingStatusData,
        UserData,
        UserPersonalData,
    )
    from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED  # noqa: PLC0415

    from elearn_plugin.host import receivers  # noqa: PLC0415

    status = CoursePassingStatusData(
        is_passing=is_passing,
        course=CourseData(course_key=CourseKey.from_string(course_key)),
        user=UserData(
            id=user.pk,
            is_active=user.is_active,
            pii=UserPersonalData(
                username=user.get_username(), email=user.email, name=user.get_full_name()
            ),
        ),
    )
    receivers.course_passing_status_updated(
        course_passing_status=status,
        metadata=COURSE_PASSING_STATUS_UPDATED.generate_signal_metadata(),
    )


class Command(AuditedCommand):
    help = "Standalone site only: pass (or fail) a learner's fake course exam."

    def add_arguments(self, parser) -> None:
        from elearn_plugin.host.access import STANDALONE_COURSE  # noqa: PLC0415

        parser.add_argument("username", help="The learner's username.")
        parser.add_argument(
            "--course",
            default=STANDALONE_COURSE,
            help=f"The course key (default: the workbench's course, {STANDALONE_COURSE}).",
        )
        parser.add_argument("--fail", action="store_true", help="Record a failing grade.")
        parser.add_argument(
            "--event-lost",
            action="store_true",
            help="Do not deliver the passing event: let the catch-up job find the grade.",
        )

    def handle(self, *args, **options) -> None:
        if setting("ELEARN_HOST_ADAPTERS") != "fake":
            raise _refuse(
                _(
                    "elearn_fake_pass runs only on the standalone site (ELEARN_HOST_ADAPTERS "
                    '= "fake"): in Open edX the LMS grades the exam.'
                )
            )
        try:
            course_key = parse_course_key(options["course"])
        except ValidationError as exc:
            raise _refuse(" ".join(exc.messages))
        from elearn_plugin.courses.passing import followed_courses  # noqa: PLC0415

        if not followed_courses([course_key]):
            raise _refuse(
                _("{course} has no course policy: it is not a course of the policy.").format(
                    course=course_key
                )
            )
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise _refuse(_("No account has that username."))
        self._exam(user, course_key, passing=not options["fail"], lost=options["event_lost"])
        self._report(user, course_key)

    def _exam(self, user, course_key: str, *, passing: bool, lost: bool) -> None:
        from elearn_plugin.courses.completion_jobs import JOB  # noqa: PLC0415
        from elearn_plugin.courses.passing import evaluate_completions  # noqa: PLC0415
        from elearn_plugin.host.grades import get_grades_adapter  # noqa: PLC0415
        from elearn_plugin.tick.services import run_tick  # noqa: PLC0415

        grade = get_grades_adapter().record(user.pk, course_key, passing=passing)
        self.stdout.write(
            _("Exam {result}: grade recorded at {when}.").format(
                result=_("passed") if passing else _("failed"), when=grade.modified.isoformat()
            )
        )
        if lost:
            # The catch-up leaves rows younger than its settling time to the next run.
            from elearn_plugin.courses.completion_jobs import SETTLE  # noqa: PLC0415

            run_tick(now=timezone.now() + SETTLE, only=JOB)
            return
        _deliver_event(user, course_key, passing)
        if passing:
            evaluate_completions(course_key, [user.pk])  # as the task the event scheduled

    def _report(self, user, course_key: str) -> None:
        from elearn_plugin.courses.completion_facts import (  # noqa: PLC0415
            course_videos,
            watched_videos,
        )
        from elearn_plugin.courses.models import CourseCompletion  # noqa: PLC0415
        from elearn_plugin.ledger.models import LedgerEntry  # noqa: PLC0415

        done = CourseCompletion.objects.filter(user_id=user.pk, course_key=course_key).first()
        if done is not None:
            credits = LedgerEntry.objects.filter(
                user_id=user.pk, source_key=f"completion:{course_key}"
            ).values_list("amount", flat=True)
            self.stdout.write(
                self.style.SUCCESS(
                    _("{course} completed at {when}; credits earned: {credits}.").format(
                        course=course_key,
                        when=done.completed_at.isoformat(),
                        credits=", ".join(str(c) for c in credits) or "0",
                    )
                )
            )
            return
        from elearn_plugin.courses.models import CoursePassing  # noqa: PLC0415

        passing = CoursePassing.objects.filter(
            user_id=user.pk, course_key=course_key, passing_since__isnull=False
        ).exists()
        if not passing:
            message = _("{course} is not completed: not passing.")
            self.stdout.write(message.format(course=course_key))
            return
        videos, _builtin = course_videos(course_key)
        missing = sorted(videos - set(watched_videos([user.pk], videos).get(user.pk, {})))
        self.stdout.write(
            _("{course} is not completed: {count} tracked video(s) still to watch.").format(
                course=course_key, count=len(missing)
            )
        )
        for block_key in missing:
            self.stdout.write(f"  {block_key}")
