"""List built-in `video` blocks in required courses: they cannot prove P-17.

Besides the blocks (stdout, one `course<TAB>block` line each), stderr says what the policy
makes of them (`completion.builtin_videos`) and of a required course without any tracked video
(`completion.without_tracked_videos`), so the course team sees which courses no learner can
complete yet.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from elearn_plugin.courses.keys import parse_course_key
from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.video.services import scan_builtin_videos


def _checked_keys(values: list[str]) -> list[str]:
    """The canonical course keys; a mistyped one is an error, not a silent empty scan."""
    keys, problems = [], []
    for value in values:
        try:
            keys.append(parse_course_key(value))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise CommandError("\n".join(problems), returncode=2)
    return keys


def _policy_report(found: dict[str, list[str]], keys: list[str] | None) -> list[str]:
    """What the policy's completion choices make of these courses (P-17)."""
    from elearn_plugin.courses.completion_facts import completion_choices  # noqa: PLC0415
    from elearn_plugin.courses.models import CourseKind, CoursePolicy  # noqa: PLC0415
    from elearn_plugin.host.structure import (  # noqa: PLC0415
        TRACKED_VIDEO_TYPE,
        get_structure_adapter,
    )
    from elearn_plugin.rules.course_completion import GRADE_ONLY, NOT_COUNTABLE  # noqa: PLC0415

    choices = completion_choices()
    lines = []
    for course_key, blocks in sorted(found.items()):
        verdict = (
            "no learner completes this course until they are replaced by tracked videos"
            if choices.builtin_videos == NOT_COUNTABLE
            else "they are not counted: the tracked videos and the grade decide"
        )
        lines.append(
            f"{course_key}: {len(blocks)} built-in video(s); completion.builtin_videos = "
            f"{choices.builtin_videos}: {verdict}"
        )
    required = CoursePolicy.objects.filter(kind=CourseKind.REQUIRED)
    if keys is not None:
        required = required.filter(course_key__in=keys)
    adapter = get_structure_adapter()
    for course_key in required.order_by("course_key").values_list("course_key", flat=True):
        if adapter.blocks_of_type(course_key, TRACKED_VIDEO_TYPE):
            continue
        verdict = (
            "passing the course completes it"
            if choices.without_tracked_videos == GRADE_ONLY
            else "no learner completes it here"
        )
        lines.append(
            f"{course_key}: no tracked video; completion.without_tracked_videos = "
            f"{choices.without_tracked_videos}: {verdict}"
        )
    return lines


class Command(AuditedCommand):
    help = "List built-in video blocks in courses marked required (exit 1 when any is found)."

    def add_arguments(self, parser):
        parser.add_argument("course_keys", nargs="*", help="Only these courses (default: all).")
        parser.add_argument(
            "--no-fail", action="store_true", help="Exit 0 even when built-in videos are found."
        )

    def handle(self, *args, **options):
        keys = _checked_keys(options["course_keys"]) if options["course_keys"] else None
        try:
            found = scan_builtin_videos(keys)
        except ValueError as exc:
            raise CommandError(str(exc))
        for course_key, blocks in sorted(found.items()):
            for block in blocks:
                self.stdout.write(f"{course_key}\t{block}")
        total = sum(len(b) for b in found.values())
        self.stderr.write(f"{total} built-in video block(s) in {len(found)} required course(s)")
        for line in _policy_report(found, keys):
            self.stderr.write(line)
        if total and not options["no_fail"]:
            raise CommandError("Replace them with tracked videos (elearn_video).", returncode=1)
