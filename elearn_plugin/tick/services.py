"""The tick: every registered job under its lock, and the health report (P-33).

`run_tick` is what cron (`manage.py elearn_tick`) and Celery beat (`elearn.tick`) call; two
ticks at once run each job at most once, the second reports it 'busy'. A failing job is
recorded and the other jobs still run.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Max
from django.utils import timezone

from elearn_plugin.audit import acting_as
from elearn_plugin.conf import setting
from elearn_plugin.core.timeutil import is_aware
from elearn_plugin.tick.locks import job_lock
from elearn_plugin.tick.models import JobState
from elearn_plugin.tick.registry import PROBLEM_HOOKS, UNCLOSED_PERIOD_HOOKS, discover_jobs

log = logging.getLogger(__name__)

OK = "ok"
ERROR = "error"
BUSY = "busy"


class UnknownJob(ValueError):
    """A job name that no domain registered."""


@dataclass
class JobOutcome:
    status: str
    summary: dict = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0


@dataclass
class TickReport:
    now: datetime
    jobs: dict[str, JobOutcome] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no job failed (busy jobs are not failures)."""
        return all(outcome.status != ERROR for outcome in self.jobs.values())

    def as_dict(self) -> dict:
        return {
            "now": self.now.isoformat(),
            "ok": self.ok,
            "jobs": {name: asdict(outcome) for name, outcome in self.jobs.items()},
        }


def _select(only: str | Iterable[str] | None) -> list[str]:
    jobs = discover_jobs()
    if only is None:
        return sorted(jobs)
    names = [only] if isinstance(only, str) else list(only)
    unknown = sorted(set(names) - set(jobs))
    if unknown:
        raise UnknownJob(f"unknown job(s) {unknown}; known jobs: {sorted(jobs)}")
    return sorted(set(names))


def run_tick(now: datetime | None = None, only: str | Iterable[str] | None = None) -> TickReport:
    """Run every job (or those in `only`) once, each under its lock."""
    names = _select(only)
    now = now or timezone.now()
    if not is_aware(now):
        raise ValueError("now must be timezone-aware")
    report = TickReport(now=now)
    for name in names:
        report.jobs[name] = _run_job(name, now)
    return report


def where_failed(exc: BaseException) -> str:
    """The traceback's frames without the exception's text (P-32).

    Database and mail errors quote the values they refused (an address, a name), so logs
    name the exception class and the code path only.
    """
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()


def _run_job(name: str, now: datetime) -> JobOutcome:
    with job_lock(name) as got:
        if not got:
            return JobOutcome(status=BUSY)
        started = timezone.now()
        JobState.objects.get_or_create(name=name)
        JobState.objects.filter(name=name).update(last_started_at=started, runs=F("runs") + 1)
        try:
            with acting_as(f"job:{name}"):
                summary = discover_jobs()[name](now)
            if not isinstance(summary, dict):
                raise TypeError(f"job {name} returned {type(summary).__name__}, not a dict")
            summary = json.loads(json.dumps(summary, cls=DjangoJSONEncoder))
        except Exception as exc:  # noqa: BLE001 - recorded; the other jobs still run
            error = f"{type(exc).__name__}"
            log.error("tick job %s failed (%s)\n%s", name, error, where_failed(exc))
            finished = timezone.now()
            JobState.objects.filter(name=name).update(
                last_finished_at=finished,
                last_ok=False,
                last_error=error,
                failures=F("failures") + 1,
            )
            return JobOutcome(
                status=ERROR, error=error, seconds=(finished - started).total_seconds()
            )
        finished = timezone.now()
        JobState.objects.filter(name=name).update(
            last_finished_at=finished, last_ok=True, last_error="", last_summary=summary
        )
        return JobOutcome(status=OK, summary=summary, seconds=(finished - started).total_seconds())


def unclosed_periods(now: datetime) -> list[str]:
    """Ended periods not closed yet, from the hooks the closing domains registered."""
    labels: list[str] = []
    for hook in UNCLOSED_PERIOD_HOOKS:
        labels.extend(hook(now))
    return sorted(set(labels))


def health(now: datetime | None = None) -> dict:
    """The state of the periodic work, as JSON-ready data with `healthy` and `problems`."""
    from elearn_plugin.outbox.sender import backlog  # noqa: PLC0415

    now = now or timezone.now()
    discover_jobs()
    problems: list[str] = []
    states = {state.name: state for state in JobState.objects.all()}
    last_tick = JobState.objects.aggregate(last=Max("last_started_at"))["last"]
    max_age = int(setting("ELEARN_HEALTH_MAX_TICK_AGE_SECONDS"))
    if last_tick is None:
        problems.append("tick_never_ran")
    elif (now - last_tick).total_seconds() > max_age:
        problems.append("tick_late")
    jobs = {}
    for name in sorted(set(discover_jobs()) | set(states)):
        state = states.get(name)
        jobs[name] = {
            "last_started_at": _iso(state.last_started_at) if state else None,
            "last_finished_at": _iso(state.last_finished_at) if state else None,
            "ok": state.last_ok if state else None,
            "error": state.last_error if state else "",
            "runs": state.runs if state else 0,
            "failures": state.failures if state else 0,
        }
        if state and state.last_ok is False:
            problems.append(f"job_failed:{name}")
    outbox = backlog(now)
    if outbox["given_up"]:
        problems.append("outbox_given_up")
    max_outbox_age = int(setting("ELEARN_HEALTH_MAX_OUTBOX_AGE_SECONDS"))
    oldest = outbox["oldest_unsent_age_seconds"]
    if oldest is not None and oldest > max_outbox_age:
        problems.append("outbox_late")
    try:
        periods = unclosed_periods(now)
    except Exception as exc:  # noqa: BLE001 - a broken hook is itself a health problem
        log.error("unclosed-period hook failed (%s)\n%s", type(exc).__name__, where_failed(exc))
        periods = []
        problems.append(f"period_hook_failed:{type(exc).__name__}")
    for hook in PROBLEM_HOOKS:
        try:
            problems.extend(hook(now))
        except Exception as exc:  # noqa: BLE001 - a broken hook is itself a health problem
            log.error("health hook failed (%s)\n%s", type(exc).__name__, where_failed(exc))
            problems.append(f"health_hook_failed:{type(exc).__name__}")
    audit = _audit_status(now, problems)
    grades = _grades_status(problems)
    return {
        "healthy": not problems,
        "problems": problems,
        "now": now.isoformat(),
        "last_tick_at": _iso(last_tick),
        "jobs": jobs,
        "outbox": outbox,
        "unclosed_periods": periods,
        "audit": audit,
        "persistent_grades": grades,
    }


def _audit_status(now: datetime, problems: list[str]) -> dict:
    """The trail's seal and last verification; a broken chain or a missing key is a problem."""
    from elearn_plugin.audit.chain import status  # noqa: PLC0415

    audit = status(now)
    if not audit["key_configured"]:
        problems.append("audit_key_missing")
    if audit["problem"]:
        problems.append("audit_chain_broken")
    return audit


def _grades_status(problems: list[str]) -> dict:
    """Whether the host persists the course grades the completion catch-up reads (P-17).

    Off, a lost passing-status event is never recovered: `persistent_grades_off`.
    """
    from elearn_plugin.host.grades import persistence  # noqa: PLC0415

    try:
        status = persistence().as_dict()
    except Exception as exc:  # noqa: BLE001 - a failed check is itself a health problem
        log.error("persistent-grades check failed (%s)\n%s", type(exc).__name__, where_failed(exc))
        problems.append(f"persistent_grades_check_failed:{type(exc).__name__}")
        return {"enabled": None, "reason": "check_failed"}
    if status["enabled"] is False:
        problems.append("persistent_grades_off")
    return status


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
