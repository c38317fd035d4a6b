"""The only writers of learning time, permitted slots and classroom sessions (ADR 0001).

Each activity is keyed by `source_key`, so a watch session or a classroom roll-call that is
recorded twice counts once (P-33); its classification says whether the time was spent in a
learning window, outside working hours, or in working time without a training contact's
permission (P-18). This module is the contract's address: the writers live in
`activities` (learning time), `slots` (permitted slots) and `classroom` (classroom sessions),
the readers in `totals`, the error and the input checks in `validation`.
"""

from elearn_plugin.learning.activities import (
    ActivitySpec,
    classify,
    record_activities_bulk,
    record_activity,
)
from elearn_plugin.learning.classroom import ClassroomSessionSpec, record_classroom_session
from elearn_plugin.learning.slots import grant_slot, permitted_slots
from elearn_plugin.learning.totals import TOTAL, learner_totals, unit_totals
from elearn_plugin.learning.validation import LearningDataError

__all__ = [
    "TOTAL",
    "ActivitySpec",
    "ClassroomSessionSpec",
    "LearningDataError",
    "classify",
    "grant_slot",
    "learner_totals",
    "permitted_slots",
    "record_activities_bulk",
    "record_activity",
    "record_classroom_session",
    "unit_totals",
]
