"""Endpoints of permitted learning slots (P-18): granted by a training contact or by HR.

A permitted slot lets a learner study in working time; the API and the contact's page both
check role and scope for the learner (`elearn_plugin.permissions`) before granting through
`learning.services`.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import APIView

from elearn_plugin.permissions import (
    ANY,
    Action,
    ElearnPermission,
    elearn_required,
    reach_of,
    require,
)


class SlotRequestError(Exception):
    """A refused grant: a code, an HTTP status and a message the contact can act on."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(code)
        self.code, self.status, self.message = code, status, message

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def _parse_when(value: object, field: str) -> datetime:
    """An ISO date-time; without an offset it is read in the policy's time zone."""
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise SlotRequestError(
            "bad_time",
            400,
            _("%(field)s must be a date and time (YYYY-MM-DD HH:MM).") % {"field": field},
        )
    if timezone.is_naive(parsed):
        from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

        parsed = timezone.make_aware(parsed, get_policy().tz)
    return parsed


def _learner_id(value: object) -> int:
    if isinstance(value, bool):
        value = None
    try:
        learner_id = int(value)
    except (TypeError, ValueError, OverflowError):
        learner_id = 0
    if learner_id <= 0:
        raise SlotRequestError("bad_user", 400, _("Choose a learner."))
    return learner_id


def grant_slot_from(actor, data) -> object:
    """Check role and scope for the learner, then grant through the learning service."""
    from elearn_plugin.learning.services import LearningDataError, grant_slot  # noqa: PLC0415

    learner_id = _learner_id(data.get("user_id"))
    # Scope first: a contact must not learn which ids exist outside their units.
    require(actor, Action.GRANT_LEARNING_SLOT, learner_id)
    if not get_user_model().objects.filter(pk=learner_id).exists():
        raise SlotRequestError("bad_user", 400, _("Choose a learner."))
    starts_at = _parse_when(data.get("starts_at"), _("Start"))
    ends_at = _parse_when(data.get("ends_at"), _("End"))
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise SlotRequestError("bad_reason", 400, _("A reason is required."))
    try:
        return grant_slot(learner_id, starts_at, ends_at, actor=actor, reason=reason.strip())
    except LearningDataError as exc:
        raise SlotRequestError("bad_slot", 400, str(exc))


class GrantSlotView(APIView):
    """POST {user_id, starts_at, ends_at, reason}: allow a learner to study in working time."""

    permission_classes = [ElearnPermission]
    elearn_action = Action.GRANT_LEARNING_SLOT

    def get_elearn_target(self):
        # The learner comes with the body: `grant_slot_from` checks the scope for them.
        return ANY

    def post(self, request):
        try:
            slot = grant_slot_from(request.user, request.data)
        except SlotRequestError as exc:
            return Response(exc.as_dict(), status=exc.status)
        except PermissionDenied:
            return Response(
                {"code": "forbidden", "message": _("You do not have permission to do this.")},
                status=403,
            )
        return Response(
            {
                "id": slot.pk,
                "user_id": slot.user_id,
                "starts_at": slot.starts_at.isoformat(),
                "ends_at": slot.ends_at.isoformat(),
            },
            status=201,
        )


MAX_CHOICES = 500


def learner_choices(actor, search: str) -> tuple[list[tuple[int, str, str]], bool]:
    """`(user id, name, employee id)` of the learners the actor may grant a slot to, by
    name, and whether there are more than shown (then the contact searches). HR, who
    reaches everyone, sees learners only once a search is typed."""
    from elearn_plugin.org.queries import people_named  # noqa: PLC0415

    reach = reach_of(actor)
    if reach is None and not search:
        return [], True
    found = people_named(search, reach, MAX_CHOICES + 1)
    return found[:MAX_CHOICES], len(found) > MAX_CHOICES


@elearn_required(Action.GRANT_LEARNING_SLOT, ANY)
def grant_slot_page(request):
    """The training contact's page to grant a permitted slot, the learner picked by name."""
    search = request.GET.get("q", "").strip()[:64]
    choices, more = learner_choices(request.user, search)
    context = {
        "error": "",
        "slot": None,
        "values": {},
        "choices": choices,
        "more": more,
        "q": search,
    }
    status = 200
    if request.method == "POST":
        context["values"] = request.POST
        try:
            context["slot"] = grant_slot_from(request.user, request.POST)
        except SlotRequestError as exc:
            context["error"], status = exc.message, exc.status
        except PermissionDenied:
            context["error"] = _("You may grant slots only to learners of your units.")
            status = 403
    return render(request, "elearn_plugin/learning/grant_slot.html", context, status=status)
