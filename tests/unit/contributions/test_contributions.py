"""Learner contributions (P-12): uploads checked by their content, stored under a generated
name, reviewed like internal courses, points once approved; the pages' role matrices."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from elearn_plugin.contributions import services, sniff
from elearn_plugin.contributions.models import Contribution
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.review import services as review
from elearn_plugin.rules.review import CHECKLIST
from elearn_plugin.standing.blocks import active_block
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401

PAGE = reverse("elearn:contributions")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TICKS = dict.fromkeys(CHECKLIST, True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    cache.clear()
    yield
    cache.clear()


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")  # the browser's word


def _contribute(user, name="notes.png", data=PNG, title="Forklift checklist"):
    return services.submit_contribution(user, title, "How we check", _upload(name, data))


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg"),
        (b"GIF89a" + b"0" * 20, "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypmp42" + b"0" * 20, "video/mp4"),
        (b"\x1a\x45\xdf\xa3" + b"0" * 20, "video/webm"),
        (b"%PDF-1.7\n", "application/pdf"),
        ("安全操作要点：先检查刹车。".encode(), "text/plain"),
    ],
)
def test_accepted_kinds_are_read_from_the_content(data, kind):  # P-12
    assert sniff.kind_of(data)[0] == kind


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", b"\x00" * 10_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("holiday.png", b"MZ\x90\x00" + b"\x00" * 60),  # a renamed executable
        ("tool.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 40),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n"),
        ("report.png", None),  # a zip bomb: archives are refused unopened
        ("blob.bin", bytes(range(256)) * 4),
    ],
)
def test_refused_files_leave_nothing(make_user, tmp_path, name, data):
    user = make_user()
    with pytest.raises(services.ContributionError, match="not accepted"):
        _contribute(user, name, data if data is not None else _zip_bomb())
    assert not Contribution.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_an_oversize_file_is_refused(make_user, settings):
    settings.ELEARN_CONTRIBUTION_MAX_BYTES = 1024
    with pytest.raises(services.ContributionError, match="larger than"):
        _contribute(make_user(), data=PNG + b"\x00" * 2048)


def test_the_stored_name_is_never_the_learners(make_user, tmp_path):
    contribution = _contribute(make_user(), name="../../../etc/passwd.png")
    assert ".." not in contribution.file.name and "passwd" not in contribution.file.name
    assert contribution.file.name.startswith("elearn/contributions/")
    assert (tmp_path / contribution.file.name).is_file()
    assert contribution.original_name.endswith("passwd.png")  # kept as a label only


def test_bad_titles_are_refused(make_user):
    for title in ("", " ", "x" * 201, None):
        with pytest.raises(services.ContributionError):
            _contribute(make_user(), title=title)
    assert not Contribution.objects.exists()


def test_approval_earns_the_policys_points_once(make_user):  # P-12
    author, hr = make_user(), make_user(is_staff=True)
    contribution = _contribute(author)
    assert contribution.review.kind == "contribution"
    review.decide(contribution.review.pk, "approve", actor=hr, checklist=TICKS)
    (entry,) = LedgerEntry.objects.filter(user=author)
    assert (entry.kind, entry.amount) == ("points", Decimal("5.00"))
    assert entry.source_key == f"contribution:{contribution.pk}"
    assert not services.award_points(contribution.review, actor=hr)  # a re-run adds nothing
    assert LedgerEntry.objects.filter(user=author).count() == 1


def test_a_rejected_contribution_earns_nothing(make_user):
    author, hr = make_user(), make_user(is_staff=True)
    contribution = _contribute(author)
    review.decide(contribution.review.pk, "reject", actor=hr, reason="Off topic.")
    assert not LedgerEntry.objects.exists()


def test_an_illegal_upload_revokes_and_keeps_the_file(make_user, tmp_path):  # P-5
    author, hr = make_user(), make_user(is_staff=True)
    contribution = _contribute(author)
    review.report_illegal(contribution.review.pk, actor=hr, description="Pirated manual.")
    assert active_block(author.pk).kind == "revocation"
    assert (tmp_path / contribution.file.name).is_file()  # kept as evidence


def _file_url(contribution) -> str:
    return reverse("elearn:contribution-file", args=[contribution.pk])


def test_contributions_page_matrix(client, role_users):  # noqa: F811 - P-31
    everyone = {r: 200 for r in ("learner", "other_learner", "contact", "other_contact", "hr")}
    everyone |= {"reviewer": 200, "publisher": 200}
    assert_role_matrix(client, "get", PAGE, everyone | {"anonymous": 302, "blocked": 403})


def test_contribution_file_matrix(client, role_users):  # noqa: F811 - P-31
    pending = _contribute(role_users.learner)
    # Before approval: the author, reviewers and HR; to everyone else it does not exist.
    expected = {r: 404 for r in ("other_learner", "contact", "other_contact", "publisher")}
    expected |= {"anonymous": 302, "learner": 200, "hr": 200, "reviewer": 200, "blocked": 403}
    assert_role_matrix(client, "get", _file_url(pending), expected)
    review.decide(pending.review.pk, "approve", actor=role_users.hr, checklist=TICKS)
    approved = {r: 200 for r in ("learner", "other_learner", "contact", "other_contact")}
    approved |= {"hr": 200, "reviewer": 200, "publisher": 200}
    assert_role_matrix(
        client, "get", _file_url(pending), approved | {"anonymous": 302, "blocked": 403}
    )


def test_the_file_is_served_as_what_it_is(client, make_user):
    author = make_user()
    contribution = _contribute(author, name="page.html", data=b"<script>alert(1)</script>")
    client.force_login(author)
    response = client.get(_file_url(contribution))
    assert response["Content-Type"] == "text/plain"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


def test_the_page_uploads_and_lists(client, make_user):
    author = make_user()
    client.force_login(author)
    response = client.post(PAGE, {"title": "Ladder safety", "file": _upload("l.png", PNG)})
    assert response.status_code == 200 and "sent for review" in response.content.decode()
    assert "Ladder safety" in response.content.decode()
    bad = client.post(PAGE, {"title": "Tool", "file": _upload("t.png", b"MZ" + b"\x00" * 10)})
    assert bad.status_code == 400 and "not accepted" in bad.content.decode()
    assert Contribution.objects.count() == 1
