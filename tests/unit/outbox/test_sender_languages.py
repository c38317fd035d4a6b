"""The sender reads the recipients' language preferences once per batch, not per message."""

import sys
import types
from unittest import mock

import pytest
from django.db import transaction

from elearn_plugin.outbox import sender
from elearn_plugin.outbox.services import enqueue


@pytest.fixture
def host_preferences(monkeypatch):
    """The platform's language preference (`UserPreference`, key `pref-lang`), counted."""
    prefs: dict[int, str] = {}
    lookups: list[str] = []

    def get_user_preference(user, key):
        lookups.append("one")
        return prefs.get(user.pk)

    class Query:
        def __init__(self, ids):
            self.ids = set(ids)

        def values_list(self, *fields):
            return [(uid, value) for uid, value in prefs.items() if uid in self.ids]

    class Manager:
        def filter(self, user_id__in, key):
            lookups.append("bulk")
            assert key == "pref-lang"
            return Query(user_id__in)

    modules = {
        "openedx.core.djangoapps.lang_pref": types.SimpleNamespace(LANGUAGE_KEY="pref-lang"),
        "openedx.core.djangoapps.user_api": types.ModuleType("user_api"),
        "openedx.core.djangoapps.user_api.models": types.SimpleNamespace(
            UserPreference=types.SimpleNamespace(objects=Manager())
        ),
        "openedx.core.djangoapps.user_api.preferences": types.ModuleType("preferences"),
        "openedx.core.djangoapps.user_api.preferences.api": types.SimpleNamespace(
            get_user_preference=get_user_preference
        ),
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    return prefs, lookups


# P-21, P-22: each message in its recipient's language, the preferences read in one query
def test_language_preferences_are_read_once_per_batch(make_user, settings, host_preferences):
    settings.ELEARN_OUTBOX_BACKEND = "django"
    settings.ELEARN_MESSAGE_FROM = "academy@example.org"
    prefs, lookups = host_preferences
    users = [make_user() for _ in range(5)]
    prefs.update({users[0].pk: "zh-cn", users[1].pk: "zh-cn", users[2].pk: "en"})
    with transaction.atomic():
        for user in users:
            enqueue(f"frozen:{user.pk}", "account_frozen", user.pk, {})
        enqueue("frozen:again", "account_frozen", users[3].pk, {}, language="zh-cn")
    with mock.patch.object(sender, "render_email", wraps=sender.render_email) as render:
        assert sender.send_pending().sent == 6
    assert len(lookups) == 1
    languages = sorted(call.args[2] for call in render.call_args_list)
    expected = ["zh-cn", "zh-cn", "en", settings.LANGUAGE_CODE, settings.LANGUAGE_CODE, "zh-cn"]
    assert languages == sorted(expected)
