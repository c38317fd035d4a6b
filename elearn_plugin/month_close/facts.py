"""The facts of one closed month for a chunk of learners, read set-based (P-16, P-21..P-23).

`rules.month_verdicts` decides; this module only gathers what it decides on, so that the
close of 200k learners costs a fixed number of queries per chunk of about 1,000 learners
instead of several per learner. `load_month_facts` runs **five queries whatever the chunk's
size** (assignments, completions, required course keys, memberships, sanctions), each a
`values_list` on `user_id__in=<chunk>`, and groups the rows in memory. The caller chunks:
one call should not get more ids than the database accepts in one `IN` list.

The months with misses before this one (P-23) are judged here again, in one pass over each
learner's tasks (`months_with_a_miss`), on the same tasks, memberships and blocks: a month
closed earlier decided alike unless its facts changed since, and a window reaching back
before the first close still counts what the rows say.

Choices made here, so every close decides alike:

- **Tasks.** One per learner and course, as `courses.assignment_tasks` counts them: the
  deadline is the earliest `due_at` of the rows not withdrawn; followed electives (source
  `chosen`) only when `assignments.electives_are_tasks`. When every row of a course is
  withdrawn the task keeps its earliest deadline and is withdrawn when its last row was, so
  a task missed before it was taken back stays missed. Its completion time is the learner's
  `CourseCompletion` of the course, if any. A task is kept when it is due by the month's end
  and its effective (possibly shifted) due time is after the window's start (a deadline is
  judged at the instant before it, `rules.month_verdicts.judged_instant`).
- **Active time** is the learner's `Membership` rows (closed at `valid_to`; open ones run
  on), so a transfer mid-month joins two touching stays into one. `Person.hired_on` and
  `left_on` are not read: the memberships are what the history records.
- **Blocked time** is each suspension or freeze starting before the month ends, from
  `starts_at` to the earliest of `ends_at`, `lifted_at` and the month's end. Cutting at the
  month's end changes no verdict of this month or an earlier one (a due time inside the
  block moves past the block's end, so past the month either way) and makes a re-run after
  a later lift decide the same.
- **Unit** of the standing: the unit of the learner's last stay that began before the
  month's end.
- **Already revoked**: a revocation with no `lifted_at` that starts before the month ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from django.db import connections
from django.db.models import CharField, DateTimeField, Q
from django.db.models.functions import Cast
from django.utils.dateparse import parse_datetime

from elearn_plugin.courses.models import (
    Assignment,
    AssignmentSource,
    CourseCompletion,
    CourseKind,
    CoursePolicy,
)
from elearn_plugin.org.models import Membership
from elearn_plugin.policy.schema import Policy
from elearn_plugin.rules.month_verdicts import (
    Interval,
    LearnerMonth,
    MonthRules,
    Task,
    clip,
    effective_due,
    merge,
    misses_in_window,
)
from elearn_plugin.rules.periods import Period, months_back
from elearn_plugin.standing.models import Sanction, SanctionKind

BLOCKING = (SanctionKind.SUSPENSION, SanctionKind.FREEZE)


def month_rules(policy: Policy) -> MonthRules:
    """The pure rules the policy's numbers and `month_close` choices make (checked there)."""
    close = policy.month_close
    return MonthRules(
        quota=policy.quota.required_courses_per_month,
        missed_to_suspend=policy.missed_tasks.per_month_to_suspend,
        suspension_days=policy.missed_tasks.suspension_days,
        months_with_misses=policy.revocation.months_with_misses,
        window_months=policy.revocation.window_months,
        hired_mid_month=close.hired_mid_month,
        left_mid_month=close.left_mid_month,
        blocked_days=close.blocked_days,
        shift_due_in_block=close.shift_due_in_block,
        quota_capped_by_assignable=close.quota_capped_by_assignable,
    )


def _group_tasks(
    rows: Iterable[tuple[int, str, datetime, datetime | None, datetime]],
    completed: dict[tuple[int, str], datetime],
    assigned: dict[tuple[int, str], datetime],
) -> dict[int, list[Task]]:
    """One task per learner and course from its assignment rows (see the module docstring);
    `assigned` receives when each learner's course was first assigned."""
    by_course: dict[tuple[int, str], list[tuple[datetime, datetime | None]]] = {}
    for user_id, course_key, due_at, withdrawn_at, assigned_at in rows:
        key = (user_id, course_key)
        dues = by_course.get(key)
        if dues is None:
            by_course[key] = [(due_at, withdrawn_at)]
            assigned[key] = assigned_at
            continue
        dues.append((due_at, withdrawn_at))
        if assigned_at < assigned[key]:
            assigned[key] = assigned_at
    tasks: dict[int, list[Task]] = defaultdict(list)
    for (user_id, course_key), dues in by_course.items():
        if len(dues) == 1:
            # The usual case: one row per learner and course.
            due_at, withdrawn_at = dues[0]
            tasks[user_id].append(
                Task(course_key, due_at, completed.get((user_id, course_key)), withdrawn_at)
            )
            continue
        still_open = [due for due, withdrawn in dues if withdrawn is None]
        if still_open:
            due_at, withdrawn_at = min(still_open), None
        else:
            due_at = min(due for due, _ in dues)
            withdrawn_at = max(withdrawn for _, withdrawn in dues if withdrawn is not None)
        tasks[user_id].append(
            Task(course_key, due_at, completed.get((user_id, course_key)), withdrawn_at)
        )
    return tasks


def _block_intervals(
    rows: Iterable[tuple[int, str, datetime, datetime | None, datetime | None]], cut: datetime
) -> tuple[dict[int, list[Interval]], set[int]]:
    """Blocked stretches per learner (cut at `cut`) and the learners already revoked."""
    blocked: dict[int, list[Interval]] = defaultdict(list)
    revoked: set[int] = set()
    for user_id, kind, starts_at, ends_at, lifted_at in rows:
        if kind == SanctionKind.REVOCATION:
            if lifted_at is None:
                revoked.add(user_id)
            continue
        end = min(when for when in (ends_at, lifted_at, cut) if when is not None)
        if end > starts_at:
            blocked[user_id].append(Interval(starts_at, end))
    return blocked, revoked


def _assignable(
    tasks: Iterable[Task],
    judged_at: dict[str, datetime],
    assigned_at: dict[str, datetime],
    required: frozenset[str],
    completed_in_month: Iterable[str],
    period: Period,
) -> int:
    """Distinct required courses the learner could complete in the month.

    A required course counts when it was assigned before the month ended, its task is due
    (or shifted) in or after the month, is still assigned at the month's end (not withdrawn
    before it) and was not completed before the month began. (A course assigned in
    November does not make October's quota: nobody could have done it then.) A required
    course completed in the month counts too, assigned or not:
    the learner plainly could complete it, and leaving it out would exempt a learner who met
    the quota (`no_required_assignable`). Never None: every input is read here, so the count
    is always decided; the rules ignore it when `quota_capped_by_assignable` is off.
    """
    start, end = period.start_utc, period.end_utc
    courses = set(completed_in_month)
    for task in tasks:
        if task.course_key not in required or judged_at[task.course_key] <= start:
            continue
        if assigned_at[task.course_key] >= end:
            continue
        if task.withdrawn_at is not None and task.withdrawn_at < end:
            continue
        if task.completed_at is not None and task.completed_at < start:
            continue
        courses.add(task.course_key)
    return len(courses)


def _instant_reader(connection) -> Callable[[object], datetime | None]:
    """What the ORM makes of a stored instant, as a UTC datetime, for `connection`.

    Read as text (`_fetch`), an instant costs one C-level parse here instead of the driver's
    conversion and then the ORM's chain of calls (make it aware, check it is): about forty
    thousand of them a chunk, once the largest part of reading its facts. The result is the
    same instant, already in UTC, so the rules' `as_utc` has nothing left to do. A chunk's
    instants repeat (a course's deadline, the time a rule assigned it to everyone): each
    distinct one is parsed once per reader.
    """
    zone = connection.timezone
    seen: dict[object, datetime] = {}

    def parse(value) -> datetime:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = parse_datetime(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value if value.tzinfo is UTC else value.astimezone(UTC)

    def at(value):
        if value is None:
            return None
        found = seen.get(value)
        if found is None:
            found = seen[value] = parse(value)
        return found

    return at


def _fetch(queryset, *names: str) -> list[tuple]:
    """`queryset.values_list(*names)` evaluated: its own SQL, its date-time columns read as
    text and made UTC instants by `_instant_reader`, the others as the driver returns them
    (ints and strings, as the ORM would)."""
    meta = queryset.model._meta
    instants = [
        i for i, name in enumerate(names) if isinstance(meta.get_field(name), DateTimeField)
    ]
    columns = [
        Cast(name, output_field=CharField()) if i in instants else name
        for i, name in enumerate(names)
    ]
    query = queryset.values_list(*columns).query
    connection = connections[queryset.db]
    sql, params = query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    at = _instant_reader(connection)
    out = []
    for row in rows:
        values = list(row)
        for i in instants:
            values[i] = at(values[i])
        out.append(tuple(values))
    return out


def _of_learners(queryset, user_ids: list[int]):
    """`queryset` narrowed to the learners `user_ids` (sorted): by their id range when they
    fill most of it, as a month close's chunk does, else by an `IN` list.

    A range costs the database one index range scan and the driver two parameters, where
    an `IN` list of a chunk's thousand ids had each id quoted and compiled through the ORM;
    rows of ids inside the range but outside `user_ids` are dropped by `load_chunk`.
    """
    low, high = user_ids[0], user_ids[-1]
    if high - low + 1 <= 2 * len(user_ids):
        return queryset.filter(user_id__gte=low, user_id__lte=high)
    return queryset.filter(user_id__in=user_ids)


def _rows(user_ids: list[int], window_start: datetime, period: Period, policy: Policy):
    """The five set queries of a chunk, evaluated: nothing else touches the database."""
    assignments = _of_learners(Assignment.objects.all(), user_ids)
    if not policy.assignments.electives_are_tasks:
        assignments = assignments.exclude(source=AssignmentSource.CHOSEN)
    # Every row of the chunk's learners: the task's deadline is the earliest of its rows, so
    # a filter on `due_at` would move the deadline. The rows are one per learner, course
    # and source, so a chunk's rows stay a few per learner and course.
    assignment_rows = _fetch(
        assignments, "user_id", "course_key", "due_at", "withdrawn_at", "assigned_at"
    )
    completion_rows = _fetch(
        _of_learners(CourseCompletion.objects.all(), user_ids),
        "user_id",
        "course_key",
        "completed_at",
    )
    required = frozenset(
        CoursePolicy.objects.filter(kind=CourseKind.REQUIRED).values_list("course_key", flat=True)
    )
    membership_rows = _fetch(
        _of_learners(Membership.objects.filter(valid_from__lt=period.end_utc), user_ids).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=window_start)
        ),
        "user_id",
        "valid_from",
        "valid_to",
        "unit_id",
    )
    # No lower bound on blocks: one long before the window can still shift a task into it.
    sanction_rows = _fetch(
        _of_learners(
            Sanction.objects.filter(
                kind__in=[*BLOCKING, SanctionKind.REVOCATION], starts_at__lt=period.end_utc
            ),
            user_ids,
        ),
        "user_id",
        "kind",
        "starts_at",
        "ends_at",
        "lifted_at",
    )
    return assignment_rows, completion_rows, required, membership_rows, sanction_rows


def load_month_facts(user_ids: Sequence[int], period: Period, policy: Policy) -> list[LearnerMonth]:
    """The facts of `period` for one chunk of learners, ordered by user id, one per learner.

    Five queries for the chunk whatever its size; a learner without any row gets empty
    facts (and is judged `not_employed`). `period` is a month of the policy's zone.
    """
    return load_chunk(user_ids, period, policy)[0]


def load_chunk(
    user_ids: Sequence[int], period: Period, policy: Policy
) -> tuple[list[LearnerMonth], dict[int, int]]:
    """`load_month_facts`, and each learner's unit id at the month's end (same five queries)."""
    if period.kind != "month":
        raise ValueError(f"month facts are monthly, not per {period.kind}")
    rules = month_rules(policy)
    ids = sorted({int(user_id) for user_id in user_ids})
    if not ids:
        return [], {}
    window = months_back(period, rules.window_months)
    window_start, end = window[0].start_utc, period.end_utc
    assignment_rows, completion_rows, required, membership_rows, sanction_rows = _rows(
        ids, window_start, period, policy
    )

    completed = {(user_id, key): at for user_id, key, at in completion_rows}
    assigned: dict[tuple[int, str], datetime] = {}
    tasks_of = _group_tasks(assignment_rows, completed, assigned)
    blocked_of, revoked = _block_intervals(sanction_rows, end)
    active_of: dict[int, list[Interval]] = defaultdict(list)
    unit_of: dict[int, tuple[datetime, int]] = {}
    for user_id, valid_from, valid_to, unit_id in membership_rows:
        stay_end = end if valid_to is None else min(valid_to, end)
        if stay_end > valid_from:
            active_of[user_id].append(Interval(valid_from, stay_end))
        if user_id not in unit_of or unit_of[user_id][0] < valid_from:
            unit_of[user_id] = (valid_from, unit_id)
    required_done: dict[int, dict[str, datetime]] = defaultdict(dict)
    for (user_id, key), at in completed.items():
        if key in required and period.contains(at):
            required_done[user_id][key] = at

    earlier = window[:-1]
    facts: list[LearnerMonth] = []
    for user_id in ids:
        blocked = merge(blocked_of.get(user_id, ()))
        active = merge(active_of.get(user_id, ()))
        judged_at: dict[str, datetime] = {}
        tasks: list[Task] = []
        for task in tasks_of.get(user_id, ()):
            due = (
                effective_due(task.due_at, blocked)
                if rules.shift_due_in_block and blocked
                else task.due_at
            )
            judged_at[task.course_key] = due
            # Judged at the instant before the deadline (`judged_instant`): due by the
            # month's end, and after the window's start.
            if task.due_at <= end and due > window_start:
                tasks.append(task)
        tasks.sort(key=lambda t: (t.due_at, t.course_key))
        # A block ending by the first kept due time (or the window's start) shifts nothing kept.
        since = min([window_start, *(t.due_at for t in tasks)])
        blocked = tuple(block for block in blocked if block.end > since)
        # The earlier months are judged with every stay of the window: a task is missed only
        # when the learner was active at its due time, whichever month that falls in.
        history = LearnerMonth(user_id, tuple(tasks), active=active, blocked=blocked)
        before, missed = (
            misses_in_window(history, rules, earlier, period) if tasks else (frozenset(), ())
        )
        done = required_done.get(user_id, {})
        facts.append(
            LearnerMonth(
                user_id=user_id,
                tasks=tuple(tasks),
                required_completed_at=dict(done),
                active=clip(active, period.start_utc, end),
                blocked=blocked,
                months_with_misses_before=before,
                already_revoked=user_id in revoked,
                missed=missed,
                assignable_required=_assignable(
                    tasks_of.get(user_id, ()),
                    judged_at,
                    {
                        t.course_key: assigned[(user_id, t.course_key)]
                        for t in tasks_of.get(user_id, ())
                    },
                    required,
                    done,
                    period,
                ),
            )
        )
    # A range read (`_of_learners`) may bring rows of ids outside the chunk: not returned.
    return facts, {user_id: unit_of[user_id][1] for user_id in ids if user_id in unit_of}
