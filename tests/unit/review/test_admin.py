"""HR's review queue in the admin: the decision form with the checklist, the item's history,
refusals shown with nothing changed, and the referrals list (P-5, P-11, P-13, P-31)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from elearn_plugin.permissions.roles import AUDIT_CENTRE_GROUP
from elearn_plugin.review import services
from elearn_plugin.review.models import ReviewItem
from elearn_plugin.rules.review import CHECKLIST
from elearn_plugin.standing.blocks import active_block
from tests.helpers.role_matrix import assert_role_matrix, role_users  # noqa: F401

UNIT = "block-v1:Org+Safety+2026+type@elearn_approval+block@u1"
ALL_TICKS = dict.fromkeys(CHECKLIST, True)
ALL_CHECKED = {f"check_{item}": "on" for item in CHECKLIST}


@pytest.fixture
def item(make_user):
    author = make_user("author")
    return services.submit(
        kind="unit", course_key="course-v1:Org+Safety+2026", target_key=UNIT,
        fingerprint="c1:abc", title="Fire <b>safety</b>", actor=author,
    )  # fmt: skip


def _url(item) -> str:
    return reverse("admin:elearn_plugin_reviewitem_decide", args=[item.pk])


def test_decide_page_matrix(client, role_users, item):  # noqa: F811 - P-31
    role_users.hr.is_staff = True  # HR officers reach the admin as staff
    role_users.hr.save()
    expected = {role: 302 for role in ("anonymous", "learner", "other_learner", "contact")}
    # The blocked learner is signed out with the blocked page first (P-8).
    expected |= {"other_contact": 302, "reviewer": 302, "publisher": 302, "blocked": 403}
    assert_role_matrix(client, "get", _url(item), expected | {"hr": 200})


def test_approval_needs_the_whole_checklist(client, make_user, item):  # P-11, P-13
    client.force_login(make_user("hr", is_staff=True))
    partial = {**ALL_CHECKED}
    partial.pop("check_syllabus")
    page = client.post(_url(item), {"step": "approve", **partial})
    assert page.status_code == 200
    assert "Tick every item of the checklist" in page.content.decode()
    assert ReviewItem.objects.get().state == "submitted"
    done = client.post(_url(item), {"step": "approve", **ALL_CHECKED})
    assert done.status_code == 302
    assert services.is_approved(UNIT, "c1:abc")


def test_the_page_shows_the_item_escaped_with_its_history(client, make_user, item):
    client.force_login(make_user("hr", is_staff=True))
    content = client.get(_url(item)).content.decode()
    assert "Fire &lt;b&gt;safety&lt;/b&gt;" in content
    assert "review.submitted" in content and "author" in content


def test_the_submitter_cannot_decide_their_own_item(client, item):  # P-11
    item.submitted_by.is_staff = True
    item.submitted_by.save()
    client.force_login(item.submitted_by)
    page = client.post(_url(item), {"step": "approve", **ALL_CHECKED})
    assert "own submission" in page.content.decode()
    assert not services.is_approved(UNIT, "c1:abc")


def test_illegal_content_from_the_form(client, make_user, item):  # P-5
    centre = make_user("centre")
    centre.groups.add(Group.objects.create(name=AUDIT_CENTRE_GROUP))
    client.force_login(make_user("hr", is_staff=True))
    client.post(_url(item), {"step": "illegal", "reason": "Pirated film."})
    assert active_block(item.submitted_by_id).kind == "revocation"
    listing = client.get("/admin/elearn_plugin/illegalcontentreferral/")
    assert listing.status_code == 200 and "Fire" in listing.content.decode()


def test_the_centre_role_reads_referrals_and_nothing_else(make_user, role_users):  # noqa: F811
    # P-5, P-31: membership of the centre's group is the role; learners have no such right.
    from elearn_plugin.permissions import ANY, Action, check

    centre = make_user("centre")
    centre.groups.add(Group.objects.create(name=AUDIT_CENTRE_GROUP))
    assert check(centre, Action.VIEW_REFERRALS, ANY)
    assert not check(centre, Action.REVIEW_COURSE, ANY)
    assert not check(centre, Action.VIEW_ALL_RECORDS, ANY)
    for role in ("learner", "contact", "reviewer", "publisher", "blocked"):
        assert not check(role_users.user(role), Action.VIEW_REFERRALS, ANY), role
    assert check(role_users.hr, Action.VIEW_REFERRALS, ANY)


def test_an_unknown_item_goes_back_to_the_list(client, make_user):
    client.force_login(make_user("hr", is_staff=True))
    response = client.get(reverse("admin:elearn_plugin_reviewitem_decide", args=[999]))
    assert response.status_code == 302


def test_the_course_record_names_who_opened_runs_and_reviewed_it(client, make_user):  # P-11
    from elearn_plugin.courses import services as courses
    from elearn_plugin.host.roles import FakeRolesAdapter

    hr = make_user("hr", is_staff=True, is_superuser=True)
    author, reviewer = make_user("author"), make_user("rev")
    policy, _created = courses.save_course_policy(
        courses.CoursePolicySpec(
            course_key="course-v1:Org+Safety+2026", title="Safety", credits=1,
            kind="required", origin="internal",
        ),
        actor=hr,
    )  # fmt: skip
    FakeRolesAdapter.grant(author.pk, "course-v1:Org+Safety+2026")
    try:
        item = services.submit(
            kind="unit", course_key="course-v1:Org+Safety+2026", target_key=UNIT,
            fingerprint="c1:v1", title="Exits", actor=author,
        )  # fmt: skip
        services.decide(
            item.pk, "approve", actor=reviewer, checklist=dict.fromkeys(CHECKLIST, True)
        )
        client.force_login(hr)
        page = client.get(f"/admin/elearn_plugin/coursepolicy/{policy.pk}/change/").content.decode()
    finally:
        FakeRolesAdapter.revoke(author.pk, "course-v1:Org+Safety+2026")
    assert "course-record" in page, page[:2000]
    record = page[page.index("course-record") :]
    assert "Opened by: hr" in record
    assert "Run by: author (staff)" in record
    assert "Exits" in record and "rev" in record and "Approved" in record


def test_the_queue_filters_by_age_and_unit(client, make_user):  # P-10
    from datetime import timedelta

    from django.utils import timezone

    from elearn_plugin.org import services as org
    from elearn_plugin.org.models import Person

    unit, _created = org.create_unit("plant", "Plant")
    old_author, new_author = make_user("old-author"), make_user("new-author")
    Person.objects.create(user=old_author, employee_id="E1", name="Old", unit=unit)
    old = services.submit(
        kind="unit", course_key="course-v1:Org+A+1", target_key="block-v1:Org+A+1+type@x+block@a",
        fingerprint="c1:a", title="Old unit", actor=old_author,
        now=timezone.now() - timedelta(days=10),
    )  # fmt: skip
    services.submit(
        kind="unit", course_key="course-v1:Org+A+1", target_key="block-v1:Org+A+1+type@x+block@b",
        fingerprint="c1:b", title="New unit", actor=new_author,
    )  # fmt: skip
    client.force_login(make_user("hr", is_staff=True))
    waiting = client.get("/admin/elearn_plugin/reviewitem/?waiting=7").content.decode()
    assert "Old unit" in waiting and "New unit" not in waiting
    by_unit = client.get(f"/admin/elearn_plugin/reviewitem/?unit={unit.pk}").content.decode()
    assert "Old unit" in by_unit and "New unit" not in by_unit
    assert client.get("/admin/elearn_plugin/reviewitem/?unit=x&waiting=y").status_code == 200
    assert old.submitted_at < timezone.now() - timedelta(days=9)


def test_referrals_page_matrix(client, role_users, make_user, settings, tmp_path):  # noqa: F811
    # P-5, P-31: the centre's page; the centre also opens the referred file, nobody else.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from elearn_plugin.contributions import services as contributions

    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    contribution = contributions.submit_contribution(
        role_users.other_learner, "Pirated", "", upload
    )
    services.report_illegal(contribution.review.pk, actor=role_users.hr, description="Copied.")
    centre = make_user("centre")
    centre.groups.add(Group.objects.create(name=AUDIT_CENTRE_GROUP))
    url = reverse("elearn:referrals")
    expected = {r: 403 for r in ("learner", "other_learner", "contact", "other_contact")}
    expected |= {"anonymous": 302, "hr": 200, "reviewer": 403, "publisher": 403, "blocked": 403}
    assert_role_matrix(client, "get", url, expected)
    client.force_login(centre)
    page = client.get(url).content.decode()
    assert "Pirated" in page and "Copied." in page
    file_url = reverse("elearn:contribution-file", args=[contribution.pk])
    assert client.get(file_url).status_code == 200
    client.force_login(role_users.learner)
    assert client.get(file_url).status_code == 404
