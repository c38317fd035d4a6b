"""List built-in `video` blocks in required courses: they cannot prove P-17."""

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
        if total and not options["no_fail"]:
            raise CommandError("Replace them with tracked videos (elearn_video).", returncode=1)
