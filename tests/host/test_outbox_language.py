"""The outbox writes to each learner in the language they chose on the platform (P-19).

Mirrors openedx-platform `openedx/core/djangoapps/user_api/models.py` (`UserPreference`, one
value per user and key) and `openedx/core/djangoapps/lang_pref/__init__.py` (`LANGUAGE_KEY`,
`pref-lang`), which the language menu and the account settings page write; `host/ace.py`
reads them for a whole batch in one query.
"""

import pytest
from django.core import mail
from django.db import transaction

from elearn_plugin.host.ace import host_languages
from elearn_plugin.outbox import sender
from elearn_plugin.outbox.services import enqueue


@pytest.fixture
def django_mail(settings):
    settings.ELEARN_OUTBOX_BACKEND = "django"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "academy@example.com"


def _prefer(user, language):
    from openedx.core.djangoapps.lang_pref import LANGUAGE_KEY  # noqa: PLC0415
    from openedx.core.djangoapps.user_api.models import UserPreference  # noqa: PLC0415

    UserPreference.objects.create(user=user, key=LANGUAGE_KEY, value=language)


def test_the_preferences_of_a_batch_are_read_in_one_query(make_user, django_assert_num_queries):
    chinese, english, unset = make_user(), make_user(), make_user()
    _prefer(chinese, "zh-cn")
    _prefer(english, "en")
    with django_assert_num_queries(1):
        found = host_languages({chinese.pk, english.pk, unset.pk})
    assert found == {chinese.pk: "zh-cn", english.pk: "en"}


def test_a_message_without_a_language_goes_out_in_the_learners_chosen_one(make_user, django_mail):
    learner = make_user()
    _prefer(learner, "zh-cn")
    with transaction.atomic():
        enqueue("frozen:1", "account_frozen", learner.pk, {})
    assert sender.send_pending().sent == 1
    (message,) = mail.outbox
    # The zh_CN catalogue's subject of account_frozen, not the English one.
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message.subject), message.subject
