"""The demo's family link (P-35): one for learner01, issued by HR, its address printed once
(the database keeps only its hash)."""

from __future__ import annotations

import os
from datetime import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse

from elearn_plugin import audit
from elearn_plugin.family import services

DEMO_LEARNER = "learner01"


def demo_base() -> str:
    """Where `make demo` serves the site (the address the demo prints its pages under)."""
    return os.environ.get("ELEARN_DEMO_URL", "http://127.0.0.1:8000").rstrip("/")


def seed_demo(now: datetime) -> list[str]:
    """Issue the link when the family view is on; the lines to print."""
    if not services.enabled():
        return ["  Family view:    off (ELEARN_FAMILY_VIEW_ENABLED)"]
    users = get_user_model().objects
    learner = users.filter(username=DEMO_LEARNER).first()
    hr = users.filter(username="hr").first()
    if learner is None:
        return []
    with audit.acting_as("command:elearn_demo"):
        issued = services.issue(learner.pk, actor=hr, days=services.max_days(), now=now)
    path = reverse("elearn:family-view", kwargs={"token": issued.token})
    return [
        f"  Family link:    {demo_base()}{path} ({DEMO_LEARNER}'s report, "
        f"{services.max_days()} days; revoke at /elearn/family/learner/{learner.pk}/)"
    ]
