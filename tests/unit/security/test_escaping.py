"""Pages and emails escape what people typed: names, unit names, reasons (P-32, P-31).

A name like `<script>alert(1)</script>` must reach the browser as text, never as markup.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from elearn_plugin.outbox import sender
from elearn_plugin.standing import services as standing

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PACKAGE = Path(__file__).resolve().parents[3] / "elearn_plugin"


# P-8, P-32: the page a blocked learner sees shows the recorded reason as text
def test_blocked_page_escapes_the_reason(make_user):
    learner = make_user()
    standing.impose(
        learner.pk,
        "suspension",
        "sharing",
        "xss:blocked",
        reason=XSS,
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(days=7),
    )
    client = Client()
    client.force_login(learner)
    response = client.get(reverse("elearn:password_change"))
    assert response.status_code == 403
    body = response.content.decode()
    assert XSS not in body and ESCAPED in body


# P-8, P-32: the learner's own standing as JSON carries the reason as a string
def test_standing_json_is_json_not_markup(make_user):
    learner = make_user()
    standing.impose(learner.pk, "warning", "missed_tasks", "xss:warning", reason=XSS)
    client = Client()
    client.force_login(learner)
    response = client.get(reverse("elearn:standing-me"))
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["sanctions"][0]["reason"] == XSS


# P-18, P-32: values typed into the slot form are echoed escaped after a refusal
def test_grant_slot_page_escapes_echoed_values(client, role_users):
    client.force_login(role_users.contact)
    response = client.post(
        reverse("elearn:learning-grant-slot-page"),
        {
            "user_id": role_users.learner.pk,
            "starts_at": f'"><img src=x onerror=alert(1)>{XSS}',
            "ends_at": "2026-01-06 10:00",
            "reason": XSS,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert XSS not in body and "<img src=x" not in body
    assert ESCAPED in body


# P-2, P-32: the `next` address of the password page is an attribute value, escaped
def test_password_page_escapes_next(make_user):
    client = Client()
    client.force_login(make_user())
    response = client.get(reverse("elearn:password_change"), {"next": f'/x"{XSS}'})
    assert response.status_code == 200
    assert XSS not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "context"),
    [
        (
            "transfer_handover",
            {
                "learners": [{"learner_name": XSS, "from_unit": XSS, "to_unit": XSS}],
                "count": 1,
                "more": 0,
                "effective_on": "2026-03-16",
            },
        ),
        (
            "monthly_progress",
            {"period": "2026-01", "unit": XSS, "learners": 2, "behind": 1, "link": "/r"},
        ),
        ("quota_warning", {"period": "2026-01", "completed": 1, "required": 2}),
    ],
)
# P-6, P-28, P-32: person and unit names in the HTML part of emails are escaped
def test_email_html_escapes_names(name, context):
    parts = sender.render_email(
        name, {**context, "recipient_name": XSS, "platform_name": XSS}, "en"
    )
    html = parts["body.html"] + parts["head.html"]
    assert XSS not in html
    assert ESCAPED in parts["body.html"]


def _files(pattern: str) -> list[Path]:
    return sorted(p for p in PACKAGE.rglob(pattern) if "locale" not in p.parts)


# P-32: no template or code turns escaping off for what it shows
def test_no_escaping_switched_off_in_html_templates():
    offenders = []
    for path in _files("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\|\s*safe\b|autoescape\s+off|\|\s*safeseq\b", text):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert not offenders, f"escaping switched off in {offenders}"
    assert _files("*.html"), "no templates found: the check would prove nothing"


# P-32: plain-text email parts are the only templates without escaping, and no code marks
# strings safe
def test_no_mark_safe_in_code_and_autoescape_off_only_in_text_emails():
    for path in _files("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("mark_safe(", "SafeString(", "format_html(", "|safe"):
            assert word not in text, f"{word} in {path.relative_to(PACKAGE)}"
    for path in _files("*.txt"):
        text = path.read_text(encoding="utf-8")
        if "autoescape off" in text:
            assert "/edx_ace/" in path.as_posix() and path.parent.name == "email", path


# P-32: the player builds its page with text, never with HTML strings
def test_player_script_inserts_no_html():
    for path in _files("*.js"):
        text = path.read_text(encoding="utf-8")
        for word in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert word not in text, f"{word} in {path.relative_to(PACKAGE)}"
