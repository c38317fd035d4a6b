"""The periodic judging of contributions (P-12): the best approved ones are ranked and
rewarded once — points through the ledger or a prize — and told by mail."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from elearn_plugin.audit.models import AuditEvent
from elearn_plugin.contributions import admin as contributions_admin
from elearn_plugin.contributions import awards, services
from elearn_plugin.contributions.models import Contribution, ContributionAward
from elearn_plugin.ledger.models import LedgerEntry
from elearn_plugin.outbox.models import OutboxMessage
from elearn_plugin.review import services as review
from elearn_plugin.rules.review import CHECKLIST

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def hr(make_user):
    return make_user("hr", is_staff=True)


def _approved(user, hr, title):
    c = services.submit_contribution(user, title, "", SimpleUploadedFile("a.png", PNG))
    review.decide(c.review.pk, "approve", actor=hr, checklist=dict.fromkeys(CHECKLIST, True))
    return c


def test_a_judging_ranks_rewards_and_tells_the_winners_once(make_user, hr):  # P-12
    a, b = make_user("a"), make_user("b")
    first, second = _approved(a, hr, "Forklift"), _approved(b, hr, "Ladders")
    done = awards.judge_round(
        "2026-Q4",
        [awards.AwardSpec(second.pk, 4, Decimal("0"), "A day off"),
         awards.AwardSpec(first.pk, 5, Decimal("20"))],
        actor=hr,
    )  # fmt: skip
    assert [(x.contribution_id, x.rank) for x in done] == [(first.pk, 1), (second.pk, 2)]
    award_points = LedgerEntry.objects.filter(source_key__startswith="award:")
    assert [(e.user_id, e.amount) for e in award_points] == [(a.pk, Decimal("20.00"))]
    assert OutboxMessage.objects.filter(message_type="contribution_awarded").count() == 2
    assert AuditEvent.objects.filter(verb="contribution.awarded").count() == 2
    with pytest.raises(awards.AwardError, match="recorded already"):
        awards.judge_round("2026-Q4", [awards.AwardSpec(first.pk, 5, Decimal("20"))], actor=hr)
    assert award_points.count() == 1


@pytest.mark.parametrize(
    ("round_name", "spec", "message"),
    [
        ("Q4", None, "like 2026"),
        ("2026-Q4", {"rating": 6}, "1 to 5"),
        ("2026-Q4", {"points": Decimal("-1")}, "between 0"),
        ("2026-Q4", {"points": Decimal("0"), "prize": ""}, "points or a prize"),
    ],
)
def test_bad_judgings_change_nothing(make_user, hr, round_name, spec, message):
    c = _approved(make_user(), hr, "Notes")
    values = {"rating": 5, "points": Decimal("5"), "prize": ""} | (spec or {})
    with pytest.raises(awards.AwardError, match=message):
        awards.judge_round(round_name, [awards.AwardSpec(c.pk, **values)], actor=hr)
    assert not ContributionAward.objects.exists()
    assert not LedgerEntry.objects.filter(source_key__startswith="award:").exists()


def test_only_approved_contributions_are_rewarded(make_user, hr):
    pending = services.submit_contribution(
        make_user(), "Draft", "", SimpleUploadedFile("a.png", PNG)
    )
    with pytest.raises(awards.AwardError, match="approved"):
        awards.judge_round("2026", [awards.AwardSpec(pending.pk, 5, Decimal("5"))], actor=hr)


def _request(user, data):
    request = RequestFactory().post("/admin/", data)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_hr_judges_from_the_admin(make_user, hr):  # P-12, P-31
    c = _approved(make_user("a"), hr, "Forklift")
    model_admin = admin.site._registry[Contribution]
    queryset = Contribution.objects.filter(pk=c.pk)
    page = contributions_admin.reward(model_admin, _request(hr, {}), queryset)
    page.render()
    assert "Forklift" in page.rendered_content
    learner = make_user("learner")
    assert contributions_admin.reward(model_admin, _request(learner, {}), queryset) is None
    assert model_admin.get_actions(_request(learner, {})) == {}
    data = {"apply": "1", "round": "2026-Q4", f"rating_{c.pk}": "5", f"points_{c.pk}": "10"}
    contributions_admin.reward(model_admin, _request(hr, data), queryset)
    assert ContributionAward.objects.get().points == Decimal("10.00")
