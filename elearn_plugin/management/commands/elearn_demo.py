"""`manage.py elearn_demo [--reset]` — the standalone site with the demo organisation.

Creates the database (`migrate --run-syncdb`: the XBlock workbench ships no migrations),
loads conf/demo/demo.yaml through the ordinary data loader, and prints the addresses and
the demo logins. The demo file's dates are written for the week of Monday 2026-03-16; they
are moved by whole weeks to the current week (weekdays, hence learning windows, stay),
deadlines to the same place in the current and previous month, and sanctions by days so
that one written around the reference Monday is in force today; the people's `hired`, `left`
and `transfers` dates move by the same weeks as the records. Demo data only: the
passwords printed here are the ones in the demo file.
"""

from __future__ import annotations

import calendar
import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, transaction
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin.conf import setting
from elearn_plugin.loading.format import DataFileError, read_file
from elearn_plugin.loading.writer import LoadError, load_data
from elearn_plugin.management.base import AuditedCommand
from elearn_plugin.org.models import Person
from elearn_plugin.org.services import clear_must_change_password
from elearn_plugin.permissions.roles import AUDIT_CENTRE_GROUP, PUBLISHER_GROUP
from elearn_plugin.policy.runtime import get_policy
from elearn_plugin.policy.schema import PolicyNotConfigured

DEMO_FILE = Path(__file__).resolve().parents[3] / "conf" / "demo" / "demo.yaml"
REFERENCE_MONDAY = date(2026, 3, 16)
DEMO_PASSWORD = "demo-pass-2026"
HR_USERNAME = "hr"
SEAT_POOL_UNIT = "group"
ROLE_ACCOUNTS = (("author", PUBLISHER_GROUP), ("auditor", AUDIT_CENTRE_GROUP))
SPARE_SEATS = 3
WORKBENCH_COURSE_TITLE = "工作台示范课程 Workbench demo course"
THROWAWAY_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
# (section, field) holding a deadline: moved by months, kept at the same day (or month end).
MONTH_FIELDS = {("assignments", "due"), ("assignments", "assigned")}
DATE_FIELDS = {
    # HR's history moves by whole weeks with the records, which must stay inside it.
    ("people", "hired"),
    ("people", "left"),
    ("transfers", "date"),
    ("assignments", "due"),
    ("assignments", "assigned"),
    ("completions", "completed_at"),
    ("learning_time", "start"),
    ("learning_time", "end"),
    ("classroom_sessions", "start"),
    ("sanctions", "start"),
    ("sanctions", "end"),
}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    was_last = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month, last if was_last else min(day.day, last))


def shift_demo_dates(data: dict, today: date) -> dict:
    """The demo data with its dates moved from the reference week to the week of `today`."""
    monday = today - timedelta(days=today.weekday())
    weeks = timedelta(days=(monday - REFERENCE_MONDAY).days)
    # Sanctions move by days so that one written around the reference Monday is active today.
    days = timedelta(days=(today - REFERENCE_MONDAY).days)
    months = (today.year * 12 + today.month) - (REFERENCE_MONDAY.year * 12 + REFERENCE_MONDAY.month)
    for section, name in DATE_FIELDS:
        for record in data.get(section) or []:
            if not isinstance(record, dict) or name not in record:
                continue
            value = record[name]
            if isinstance(value, str):
                value = (
                    date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
                )
            if (section, name) in MONTH_FIELDS:
                if isinstance(value, datetime):
                    value = datetime.combine(_add_months(value.date(), months), value.timetz())
                else:
                    value = _add_months(value, months)
            else:
                value = value + (days if section == "sanctions" else weeks)
            record[name] = value
    return data


def _plain_routes(patterns, prefix: str = "") -> list[str]:
    """Routes without parameters, for the list of pages to open."""
    routes: list[str] = []
    for entry in patterns:
        text = str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            routes += _plain_routes(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern) and "<" not in text and "(" not in text:
            routes.append(prefix + text)
    return sorted(set(routes))


class Command(AuditedCommand):
    help = "Set up the standalone site with the demo organisation and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="delete the site's SQLite database first"
        )
        parser.add_argument("--file", default=str(DEMO_FILE), help="the demo data file")

    def handle(self, *args, reset: bool = False, file: str = str(DEMO_FILE), **options):
        # The demo makes a superuser whose password is printed here and in the docs: never
        # inside an Open edX site, only on the standalone site (fake host adapters).
        if setting("ELEARN_HOST_ADAPTERS") != "fake":
            raise CommandError(
                _(
                    "elearn_demo creates a superuser with a known password: it runs only on "
                    'the standalone site (ELEARN_HOST_ADAPTERS = "fake"), and this site '
                    "uses %(adapters)r."
                )
                % {"adapters": setting("ELEARN_HOST_ADAPTERS")},
                returncode=2,
            )
        # The policy and the file are checked first: a bad one must not cost the database.
        try:
            policy = get_policy()
        except PolicyNotConfigured as exc:
            raise CommandError(f"The policy is not configured:\n{exc}")
        try:
            data = read_file(file)
        except DataFileError as exc:
            raise CommandError(f"{file}: {exc}")
        if not isinstance(data, dict):
            raise CommandError(
                _("{file}: the demo file must be a mapping of sections.").format(file=file)
            )
        if reset:
            self._reset_database()
        self._migrate()
        today = timezone.now().astimezone(policy.tz).date()
        try:
            with transaction.atomic():
                # New accounts first get random initial passwords, each hashed at full cost
                # and all replaced below by the demo password: hash those cheaply, and commit
                # only the demo password's full-strength hash.
                with override_settings(PASSWORD_HASHERS=[THROWAWAY_HASHER]):
                    report = load_data(shift_demo_dates(data, today), policy.tz)
                demo_usernames = self._finish_accounts(data)
                self._workbench_course()
                # HR finds the policy's job-role rules in the admin at once (the tick would
                # sync them within minutes); new hires of those roles get their courses.
                from elearn_plugin.courses.assignment_rules import (  # noqa: PLC0415
                    sync_policy_rules,
                )

                sync_policy_rules(policy)
                self._seat_pool()
        except LoadError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError("The demo data could not be loaded; nothing was written.")
        closed = self._close_months(policy)
        self._print(report.total_created, demo_usernames)
        self._print_closes(closed)
        self._seed_records()

    def _seed_records(self) -> None:
        """The records of P-27..P-35: each domain seeds its own demo and says what it made."""
        from elearn_plugin.family.demo import seed_demo as family  # noqa: PLC0415
        from elearn_plugin.feedback.demo import seed_demo as feedback  # noqa: PLC0415
        from elearn_plugin.privacy.demo import seed_demo as privacy  # noqa: PLC0415
        from elearn_plugin.teaching.demo import seed_demo as teaching  # noqa: PLC0415

        now = timezone.now()
        for seed in (teaching, feedback, family, privacy):
            for line in seed(now):
                self.stdout.write(line)

    def _close_months(self, policy) -> list:
        """Close every ended month, as the tick would within minutes: HR then finds the
        standings, warnings, the suspension and the revocation with their emails."""
        from elearn_plugin.month_close.runner import close_through  # noqa: PLC0415
        from elearn_plugin.policy.runtime import file_digest  # noqa: PLC0415
        from elearn_plugin.rules.periods import closed_months_between  # noqa: PLC0415

        now = timezone.now()
        ended = closed_months_between(None, now, policy.tz, not_before=policy.effective_from)
        if not ended:
            return []
        return close_through(ended[-1], policy, file_digest(), runner="inline", now=now)

    def _print_closes(self, states: list) -> None:
        out = self.stdout.write
        for state in states:
            if state.warnings or state.suspensions or state.revocations:
                out(
                    f"  Month {state.period} closed: {state.warnings} quota warnings, "
                    f"{state.suspensions} suspensions, {state.revocations} revocations "
                    f"(manage.py elearn_report standing --period {state.period})"
                )
        if states:
            out(f"  Months closed:  {states[0].period} … {states[-1].period} ({len(states)})")
        self._print_rankings()
        self._print_seats()

    def _seat_pool(self) -> None:
        """The group bought a few more seats than it has active people (P-2): a departure
        shows at once as one more free seat (`manage.py elearn_seats`)."""
        from elearn_plugin.audit import acting_as  # noqa: PLC0415
        from elearn_plugin.org.models import Person, Unit  # noqa: PLC0415
        from elearn_plugin.seats.services import set_seats  # noqa: PLC0415

        root = Unit.objects.filter(code=SEAT_POOL_UNIT).first()
        if root is None:
            return
        active = Person.objects.filter(status=Person.ACTIVE).count()
        with acting_as("command:elearn_demo"):
            set_seats(root.id, active + SPARE_SEATS, actor=None)

    def _print_seats(self) -> None:
        from elearn_plugin.seats.services import seat_report  # noqa: PLC0415

        for line in seat_report():
            self.stdout.write(
                f"  Seats:          {line.unit_code}: {line.used} of {line.seats} used, "
                f"{line.free} free (manage.py elearn_seats)"
            )

    def _print_rankings(self) -> None:
        """The rankings and the hours cap the closes produced, with the commands that show them."""
        from elearn_plugin.hours.models import UnitMonthHours  # noqa: PLC0415
        from elearn_plugin.rankings.models import Ranking  # noqa: PLC0415

        out = self.stdout.write
        latest = {}
        for kind, period in Ranking.objects.order_by("ends_at").values_list("kind", "period"):
            latest[kind] = period
        for kind, period in latest.items():
            out(
                f"  Latest {kind} ranking: {period} "
                f"(manage.py elearn_report ranking --period {period} --format html)"
            )
        capped = (
            UnitMonthHours.objects.filter(excess_seconds__gt=0, offline_seconds__gt=0)
            .order_by("-period")
            .values_list("period", "unit__code")
            .first()
        )
        if capped:
            out(
                f"  Hours capped:   unit {capped[1]} in {capped[0]} "
                f"(manage.py elearn_report hours --period {capped[0]})"
            )

    def _migrate(self) -> None:
        """Create every table; while the plugin has no migration files yet, its tables too."""
        from django.db.migrations.loader import MigrationLoader  # noqa: PLC0415

        loader = MigrationLoader(None, ignore_no_migrations=True)
        has_migrations = any(app == "elearn_plugin" for app, _name in loader.disk_migrations)
        modules = dict(getattr(settings, "MIGRATION_MODULES", {}) or {})
        if not has_migrations:
            modules["elearn_plugin"] = None
        with override_settings(MIGRATION_MODULES=modules):
            call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)

    def _reset_database(self) -> None:
        db = settings.DATABASES["default"]
        name = str(db.get("NAME", ""))
        if "sqlite3" not in db.get("ENGINE", "") or not name or name == ":memory:":
            raise CommandError("--reset only deletes the standalone site's SQLite file.")
        connections.close_all()
        path = Path(name)
        if path.exists():
            path.unlink()
            self.stdout.write(f"Deleted {path}")

    def _finish_accounts(self, data: dict) -> list[str]:
        """HR superuser; every demo account gets the demo password, usable at once."""
        user_model = get_user_model()
        hashed = make_password(DEMO_PASSWORD)
        hr, created = user_model.objects.get_or_create(
            username=HR_USERNAME,
            defaults={"email": "hr@demo.example.org", "is_staff": True, "is_superuser": True},
        )
        if not created and not (hr.is_staff and hr.is_superuser):
            user_model.objects.filter(pk=hr.pk).update(is_staff=True, is_superuser=True)
        usernames = [
            p["username"]
            for p in data.get("people") or []
            if isinstance(p, dict) and p.get("password") == DEMO_PASSWORD
        ]
        # A course author (submits content for review) and the audit centre (P-5, P-10).
        for username, group in ROLE_ACCOUNTS:
            account, _created = user_model.objects.get_or_create(
                username=username, defaults={"email": f"{username}@demo.example.org"}
            )
            account.groups.add(Group.objects.get_or_create(name=group)[0])
        roles = [username for username, _group in ROLE_ACCOUNTS]
        user_model.objects.filter(username__in=[HR_USERNAME, *roles, *usernames]).update(
            password=hashed
        )
        # A few dozen fixed demo accounts; organisation-wide changes use bulk services.
        for user_id in Person.objects.filter(
            user__username__in=usernames, must_change_password=True
        ).values_list("user_id", flat=True):
            clear_must_change_password(user_id)
        return usernames

    def _workbench_course(self) -> None:
        """The workbench's course, whose tracked videos a learner watches on this site (P-17).

        With its (fake) exam (`elearn_fake_pass`) it completes and earns its credit once.
        """
        from elearn_plugin.courses.services import (  # noqa: PLC0415
            CoursePolicySpec,
            save_course_policies_bulk,
        )
        from elearn_plugin.host.access import STANDALONE_COURSE  # noqa: PLC0415

        spec = CoursePolicySpec(
            STANDALONE_COURSE, WORKBENCH_COURSE_TITLE, Decimal("1"), "elective", "internal"
        )
        save_course_policies_bulk([spec])

    def _print(self, created: int, usernames: list[str]) -> None:
        from elearn_plugin import urls as plugin_urls  # noqa: PLC0415

        out = self.stdout.write
        out(self.style.SUCCESS(f"Demo data loaded ({created} new records)."))
        out("")
        base = os.environ.get("ELEARN_DEMO_URL", "http://127.0.0.1:8000").rstrip("/")
        out(f"  Sign in:        {base}/login/  (then {base}/)")
        out(f"  Administration: {base}/admin/")
        out(f"  Tracked video:  {base}/workbench/scenario/elearn_video.0/")
        out(f"  Reviewed unit:  {base}/workbench/scenario/elearn_approval.0/  (author_view/)")
        out("  Its exam:       manage.py elearn_fake_pass learner01  (then the course completes)")
        out(f"  XBlock courses: {base}/workbench/")
        for route in _plain_routes(plugin_urls.urlpatterns):
            if not route.startswith("api/"):
                out(f"  Plugin page:    {base}/elearn/{route}")
        out("")
        out(f"  Demo logins (demo data only), password for all: {DEMO_PASSWORD}")
        out(f"    HR (superuser):     {HR_USERNAME}")
        learners = sorted(u for u in usernames if u.startswith("learner"))
        contacts = sorted(u for u in usernames if u.startswith("contact_"))
        if learners:
            out(f"    learners:           {learners[0]} … {learners[-1]} ({len(learners)})")
            out("    suspended learner:  learner05 (account sharing, one week)")
            out("    suspended learner:  learner42 (three tasks missed last month)")
            out("    revoked learner:    learner45 (tasks missed in three months)")
            out("    former employee:    former01 (left: account frozen, records kept)")
        if contacts:
            out(f"    training contacts:  {', '.join(contacts)}")
        out("    course author:      author (submits the reviewed unit)")
        out("    audit centre:       auditor (receives referrals of illegal content)")
