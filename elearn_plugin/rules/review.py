"""The review of content before learners see it (P-10, P-11, P-13): which step may follow
which, who may take it, and what a reviewer must have checked to approve.

Pure: the services (`elearn_plugin.review.services`) load the item, ask here, and write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
APPROVED = "approved"
REJECTED = "rejected"
CHANGES_REQUESTED = "changes_requested"
WITHDRAWN = "withdrawn"
STATES = (DRAFT, SUBMITTED, IN_REVIEW, APPROVED, REJECTED, CHANGES_REQUESTED, WITHDRAWN)
FINAL = frozenset({APPROVED, REJECTED, WITHDRAWN})

# step -> (states it may start from, state it leads to, who takes it)
SUBMITTER, REVIEWER = "submitter", "reviewer"
STEPS: dict[str, tuple[frozenset[str], str, str]] = {
    "submit": (frozenset({DRAFT, CHANGES_REQUESTED}), SUBMITTED, SUBMITTER),
    "start": (frozenset({SUBMITTED}), IN_REVIEW, REVIEWER),
    "approve": (frozenset({SUBMITTED, IN_REVIEW}), APPROVED, REVIEWER),
    "reject": (frozenset({SUBMITTED, IN_REVIEW}), REJECTED, REVIEWER),
    "request_changes": (frozenset({SUBMITTED, IN_REVIEW}), CHANGES_REQUESTED, REVIEWER),
    "withdraw": (frozenset({DRAFT, SUBMITTED, CHANGES_REQUESTED}), WITHDRAWN, SUBMITTER),
}
# P-11: text, video and images checked for legality; P-13: course information, syllabus and
# resources present. A reviewer ticks every one to approve.
CHECKLIST = (
    "text_legal",
    "video_legal",
    "images_legal",
    "course_information",
    "syllabus",
    "resources",
)
NEEDS_REASON = frozenset({"reject", "request_changes"})


@dataclass(frozen=True)
class Refusal:
    """Why a step cannot be taken; `code` for programs, `message` in English for the log."""

    code: str
    message: str


def check_step(
    step: str,
    state: str,
    *,
    actor_id: int,
    submitter_id: int | None,
    checklist: Mapping[str, object] | None = None,
    reason: str = "",
) -> Refusal | None:
    """None when `actor_id` may take `step` on an item in `state`; the refusal otherwise."""
    if step not in STEPS:
        return Refusal("unknown_step", f"unknown review step {step!r}")
    sources, _target, taker = STEPS[step]
    if state not in sources:
        return Refusal("illegal_transition", f"{step} is not possible from {state}")
    if taker == REVIEWER and submitter_id is not None and actor_id == submitter_id:
        return Refusal("own_submission", "nobody reviews their own submission")
    if taker == SUBMITTER and submitter_id is not None and actor_id != submitter_id:
        return Refusal("not_submitter", "only the submitter takes this step")
    if step in NEEDS_REASON and not (reason or "").strip():
        return Refusal("reason_required", "a reason is required")
    if step == "approve":
        missing = missing_checks(checklist or {})
        if missing:
            return Refusal("checklist_incomplete", f"not checked: {', '.join(missing)}")
    return None


def next_state(step: str) -> str:
    return STEPS[step][1]


def missing_checks(checklist: Mapping[str, object]) -> list[str]:
    """The checklist items not ticked (a tick is the value True, nothing else)."""
    return [item for item in CHECKLIST if checklist.get(item) is not True]
