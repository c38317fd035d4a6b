"""The base of the plugin's management commands: what a command changes is attributed to it.

Each command runs inside `audit.acting_as("command:<name>")`, so the service writers it calls
with `actor=None` record the command as the actor (ADR 0009). A command acting for a named
staff user (`--actor-id`) passes that user instead.
"""

from django.core.management.base import BaseCommand

from elearn_plugin.audit import acting_as


class AuditedCommand(BaseCommand):
    """A `BaseCommand` whose changes carry the principal `command:<its name>`."""

    def execute(self, *args, **options):
        name = type(self).__module__.rsplit(".", 1)[-1]
        with acting_as(f"command:{name}"):
            return super().execute(*args, **options)
