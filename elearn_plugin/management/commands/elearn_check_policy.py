"""`manage.py elearn_check_policy [--file F]`: validate a policy file before deploying it.

Exit status 0 when the file is valid, 2 when it has problems (each printed as
`file:line: key: message`), so that deployment scripts and CI can stop on it. A host that does
not persist course grades gets a warning line (the exit status stays 0): the completion
catch-up cannot recover a lost passing-status event there (P-17).
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.policy.loader import load_policy
from elearn_plugin.policy.runtime import load_configured_policy
from elearn_plugin.policy.schema import Policy, PolicyError

EXIT_INVALID = 2


class Command(AuditedCommand):
    help = "Validate the policy file (the configured one, or --file) and list every problem."
    # The system checks load the configured policy too; an invalid one must not stop the
    # command that explains what is wrong with it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file",
            dest="file",
            default=None,
            help="Policy file to check instead of the one named by ELEARN_POLICY_FILE.",
        )

    def handle(self, *args, **options) -> None:
        try:
            if options["file"]:
                policy = load_policy(options["file"])
            else:
                policy = load_configured_policy(use_cache=False)
        except PolicyError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("The policy file has {count} problem(s).").format(count=len(exc.problems)),
                returncode=EXIT_INVALID,
            )
        self.stdout.write(self.style.SUCCESS(_summary(policy)))
        self._warn_about_grades()

    def _warn_about_grades(self) -> None:
        from elearn_plugin.host.grades import persistence  # noqa: PLC0415

        try:
            status = persistence()
        except Exception as exc:  # noqa: BLE001 - the policy check itself succeeded
            self.stderr.write(
                self.style.WARNING(
                    _("Warning: could not check the host's persistent grades ({error}).").format(
                        error=type(exc).__name__
                    )
                )
            )
            return
        if status.enabled is False:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "Warning: the host does not persist course grades ({reason}): a lost "
                        "passing-status event is not recovered by the completion catch-up, "
                        "so such a course completion waits for the learner's next grade change."
                    ).format(reason=status.reason)
                )
            )


def _summary(policy: Policy) -> str:
    return _(
        "Policy {source} is valid: version {version}, effective from {effective_from},"
        " time zone {timezone}, {slots} learning window(s) in {mode} mode."
    ).format(
        source=policy.source,
        version=policy.version,
        effective_from=policy.effective_from.isoformat(),
        timezone=policy.timezone,
        slots=len(policy.learning_windows.slots),
        mode=policy.learning_windows.mode,
    )
