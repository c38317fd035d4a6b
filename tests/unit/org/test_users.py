"""The account adapter: standalone accounts and the Open edX branch (P-2)."""

import sys
import types

import pytest
from django.contrib.auth import get_user_model
from django.test import modify_settings, override_settings

from elearn_plugin.host import users
from elearn_plugin.host.users import (
    HostUserAdapter,
    NewUser,
    StandaloneUserAdapter,
    UserChange,
    get_user_adapter,
)

User = get_user_model()


def test_standalone_creates_usable_accounts_with_names(db):  # P-2
    adapter = StandaloneUserAdapter()
    user = adapter.create_user("ada", "ada@example.com", "Ada Lovelace", "Secret-pass-9")
    assert user.pk and user.is_active
    assert user.check_password("Secret-pass-9")
    assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
    (zh,) = adapter.create_users_bulk([NewUser("zs", "zs@example.com", "张三", "Pw-123456789")])
    assert (zh.first_name, zh.last_name) == ("张三", "")


def test_bulk_creation_keeps_order_and_hashes_in_parallel(db):  # P-2
    rows = [NewUser(f"u{i:03d}", f"u{i}@example.com", f"N {i}", f"pw-{i}-xyz") for i in range(60)]
    created = StandaloneUserAdapter().create_users_bulk(rows)
    assert [u.username for u in created] == [r.username for r in rows]
    assert created[59].check_password("pw-59-xyz")


def test_update_and_make_unusable(db):  # P-2
    adapter = StandaloneUserAdapter()
    user = adapter.create_user("ada", "ada@example.com", "Ada Lovelace", "Secret-pass-9")
    assert adapter.update_users_bulk([UserChange(user.pk, "Ada King", "k@example.com")]) == 1
    user.refresh_from_db()
    assert (user.email, user.last_name) == ("k@example.com", "King")
    adapter.make_unusable(user)
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert adapter.revoke_tokens(user) == 0


def test_get_user_adapter_follows_the_setting(db):
    with override_settings(ELEARN_USER_ADAPTER="elearn_plugin.host.users.StandaloneUserAdapter"):
        assert type(get_user_adapter()) is StandaloneUserAdapter
    assert isinstance(get_user_adapter(), HostUserAdapter)
    with (
        override_settings(ELEARN_USER_ADAPTER="elearn_plugin.host.users.Nope"),
        pytest.raises(ImportError),
    ):
        get_user_adapter()


class _Manager:
    def __init__(self, log, name):
        self.log, self.name = log, name

    def bulk_create(self, objs, batch_size=None):
        self.log.append(("bulk_create", self.name, objs))
        return objs

    def filter(self, **kwargs):
        self.log.append(("filter", self.name, kwargs))
        log, name = self.log, self.name

        class _QS(list):
            def delete(self):
                log.append(("delete", name))
                return 2, {}

        return _QS()

    def bulk_update(self, objs, fields, batch_size=None):
        self.log.append(("bulk_update", self.name, fields))


def _fake_model(log, name):
    class Model:
        objects = _Manager(log, name)

        def __init__(self, **kwargs):
            self.kwargs = kwargs

    return Model


@pytest.fixture
def host_modules(monkeypatch):
    """The LMS's student models and django-oauth-toolkit, faked at their import paths."""
    log = []
    student = types.ModuleType("common.djangoapps.student.models")
    student.UserProfile = _fake_model(log, "UserProfile")
    oauth = types.ModuleType("oauth2_provider.models")
    oauth.AccessToken = _fake_model(log, "AccessToken")
    oauth.RefreshToken = _fake_model(log, "RefreshToken")
    for name in ("common", "common.djangoapps", "common.djangoapps.student", "oauth2_provider"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "common.djangoapps.student.models", student)
    monkeypatch.setitem(sys.modules, "oauth2_provider.models", oauth)
    return log


def test_host_adapter_creates_the_lms_profile(db, host_modules):  # P-2
    user = HostUserAdapter().create_user("ada", "ada@example.com", "Ada Lovelace", "Pw-12345678")
    (call,) = [entry for entry in host_modules if entry[0] == "bulk_create"]
    assert call[1] == "UserProfile"
    (profile,) = call[2]
    assert profile.kwargs == {"user": user, "name": "Ada Lovelace"}


def test_host_adapter_revokes_both_token_kinds(db, host_modules):  # P-2
    user = StandaloneUserAdapter().create_user("ada", "a@example.com", "Ada", "Pw-12345678")
    assert HostUserAdapter().revoke_tokens(user) == 4
    filters = [entry for entry in host_modules if entry[0] == "filter"]
    assert filters == [
        ("filter", "AccessToken", {"user_id": user.pk}),
        ("filter", "RefreshToken", {"user_id": user.pk}),
    ]


def test_host_adapter_renames_the_profile(db, host_modules):  # P-2
    user = StandaloneUserAdapter().create_user("ada", "a@example.com", "Ada", "Pw-12345678")
    HostUserAdapter().update_users_bulk([UserChange(user.pk, "Ada King", "a@example.com")])
    assert ("filter", "UserProfile", {"user_id__in": [user.pk]}) in host_modules
    assert ("bulk_update", "UserProfile", ["name"]) in host_modules


def test_host_adapter_without_the_platform(db):  # P-2
    # The stand-in LMS installs the platform's OAuth2 provider; a site without one has no tokens.
    with modify_settings(INSTALLED_APPS={"remove": ["oauth2_provider"]}):
        assert users._profile_model() is None
        assert users._token_models() == ()
        user = HostUserAdapter().create_user("ada", "a@example.com", "Ada", "Pw-12345678")
        assert HostUserAdapter().revoke_tokens(user) == 0
