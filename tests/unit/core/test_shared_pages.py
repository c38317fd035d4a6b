"""Every plugin page shares one layout: the site's name, a mobile viewport, the page's language."""

from pathlib import Path

import pytest
from django.contrib import admin
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from elearn_plugin.admin_base import ReadOnlyAdmin

TEMPLATES = Path(__file__).resolve().parents[3] / "elearn_plugin" / "templates" / "elearn_plugin"
PAGES = sorted(
    p.relative_to(TEMPLATES).as_posix()
    for p in TEMPLATES.rglob("*.html")
    # Emails and fragments (parts of the admin's pages) are not pages of their own; the
    # admin's own pages (`admin/`) extend the admin's layout, as Django's admin does.
    # Partials (`_name.html`) are included by a page.
    if not {"edx_ace", "fragments", "admin"} & set(p.parts)
    and p.name != "base.html"
    and not p.name.startswith("_")
)


# Layouts that extend the base layout themselves (the staff pages' wider tables).
LAYOUTS = ("elearn_plugin/staff/wide.html",)


def test_layouts_extend_the_base_layout():
    for layout in LAYOUTS:
        source = (TEMPLATES.parent / layout).read_text(encoding="utf-8")
        assert source.startswith('{% extends "elearn_plugin/base.html" %}')


def test_pages_are_found():
    assert {"standing/blocked.html", "standing/lift.html", "learning/grant_slot.html"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_extends_the_base_layout(page):  # P-19
    source = (TEMPLATES / page).read_text(encoding="utf-8")
    parents = ("elearn_plugin/base.html", *LAYOUTS)
    assert source.startswith(tuple(f'{{% extends "{parent}" %}}' for parent in parents))
    assert "<html" not in source  # the page head lives in base.html only


def _blocked_page(language: str) -> str:
    context = {
        "standing": {"kind": "suspension"},
        "message": "<b>blocked</b>",
        "reason": "Account sharing",
        "ends_at": "2026-03-01 09:00",
    }
    with translation.override(language):
        return render_to_string("elearn_plugin/standing/blocked.html", context)


def test_page_has_header_viewport_title_and_escapes():  # P-19, P-8
    body = _blocked_page("en")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    assert "<header>" in body and "Online academy" in body
    assert "<title>Your account cannot be used</title>" in body
    assert 'lang="en"' in body
    assert '<p role="alert">&lt;b&gt;blocked&lt;/b&gt;</p>' in body
    assert "2026-03-01 09:00" in body


def test_header_is_translated():  # P-19
    body = _blocked_page("zh-cn")
    assert "网络学院" in body
    assert "Online academy" not in body


@pytest.mark.parametrize("method", ["has_add_permission", "has_change_permission"])
def test_read_only_admin_refuses_writes_even_to_superusers(method, admin_user):  # P-11, P-33
    from elearn_plugin.ledger.models import LedgerEntry  # noqa: PLC0415

    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = ReadOnlyAdmin(LedgerEntry, admin.site)
    assert getattr(model_admin, method)(request) is False
    assert model_admin.has_delete_permission(request, None) is False
    assert model_admin.has_view_permission(request) is True


def test_domain_admins_use_the_shared_read_only_base():  # P-11
    from elearn_plugin.courses.models import CourseCompletion  # noqa: PLC0415
    from elearn_plugin.ledger.models import LedgerEntry  # noqa: PLC0415
    from elearn_plugin.org.models import Membership  # noqa: PLC0415
    from elearn_plugin.outbox.models import OutboxMessage  # noqa: PLC0415
    from elearn_plugin.tick.models import JobState  # noqa: PLC0415
    from elearn_plugin.video.models import VideoCompletion  # noqa: PLC0415

    for model in (
        CourseCompletion,
        LedgerEntry,
        Membership,
        OutboxMessage,
        JobState,
        VideoCompletion,
    ):
        assert isinstance(admin.site._registry[model], ReadOnlyAdmin), model.__name__
