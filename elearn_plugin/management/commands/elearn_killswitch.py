"""`manage.py elearn_killswitch on|off|status` — learning on, off, or show the state (P-34)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from elearn_plugin.killswitch import learning_enabled, set_learning_enabled
from elearn_plugin.management.base import AuditedCommand


class Command(AuditedCommand):
    help = "Switch learning on or off at once (on = learners may study); no data is changed."

    def add_arguments(self, parser):
        parser.add_argument("state", choices=["on", "off", "status"])
        parser.add_argument(
            "--actor-id", type=int, default=None, help="id of the staff user doing this"
        )

    def handle(self, *args, state: str, actor_id: int | None = None, **options):
        if actor_id is not None and not get_user_model().objects.filter(pk=actor_id).exists():
            raise CommandError(f"no user with id {actor_id}")
        if state != "status":
            set_learning_enabled(state == "on", actor=actor_id)
        self.stdout.write("learning: on" if learning_enabled() else "learning: off")
