"""Accounts in the host: the one place that knows how Open edX stores a user.

Inside the LMS (and Studio) a learner needs a `UserProfile` row beside `auth.User`, or the
LMS pages fail; API access lives in django-oauth-toolkit tokens. Outside the platform the
standalone adapter keeps the display name in `first_name`/`last_name`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.module_loading import import_string

from elearn_plugin.conf import setting
from elearn_plugin.core.batching import chunked

CHUNK = 1000
# Password hashing (PBKDF2) dominates a large import; hashlib releases the GIL, so threads help.
_PARALLEL_HASH_FROM = 50


@dataclass(frozen=True)
class NewUser:
    """A user to create; `password` is the clear-text initial password, `password_hash` its
    hash when the caller computed it already (outside its transaction)."""

    username: str
    email: str
    name: str
    password: str
    password_hash: str = ""


@dataclass(frozen=True)
class UserChange:
    """New name and email of an existing account."""

    user_id: int
    name: str
    email: str


class UserAdapter(Protocol):
    """What the plugin needs from the host's account system."""

    def create_user(self, username: str, email: str, name: str, password: str): ...

    def create_users_bulk(self, rows: Sequence[NewUser]) -> list: ...

    def update_users_bulk(self, changes: Sequence[UserChange]) -> int: ...

    def make_unusable(self, user) -> None: ...

    def revoke_tokens(self, user) -> int: ...


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.strip().rpartition(" ")
    if not first:
        return last[:150], ""
    return first[:150], last[:150]


def hash_passwords(passwords: Sequence[str]) -> list[str]:
    """The stored form of these passwords (PBKDF2: slow; threads above a few dozen)."""
    return _hash_all(passwords)


def _hash_all(passwords: Sequence[str]) -> list[str]:
    if len(passwords) < _PARALLEL_HASH_FROM:
        return [make_password(p) for p in passwords]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(make_password, passwords))


class StandaloneUserAdapter:
    """Plain Django accounts: the name lives in first_name/last_name."""

    def create_user(self, username: str, email: str, name: str, password: str):
        """Create one active account with a usable password."""
        return self.create_users_bulk([NewUser(username, email, name, password)])[0]

    def create_users_bulk(self, rows: Sequence[NewUser]) -> list:
        """Create accounts with one INSERT per chunk; returned in the order of `rows`."""
        user_model = get_user_model()
        todo = [row.password for row in rows if not row.password_hash]
        computed = iter(_hash_all(todo))
        hashes = [row.password_hash or next(computed) for row in rows]
        objs = []
        for row, hashed in zip(rows, hashes, strict=True):
            first, last = _split_name(row.name)
            objs.append(
                user_model(
                    username=row.username,
                    email=row.email,
                    password=hashed,
                    first_name=first,
                    last_name=last,
                    is_active=True,
                )
            )
        user_model.objects.bulk_create(objs, batch_size=CHUNK)
        # Not every database returns primary keys from a bulk insert (MySQL): read them back.
        by_name = {}
        usernames = [row.username for row in rows]
        for chunk in chunked(usernames, CHUNK):
            by_name.update({u.username: u for u in user_model.objects.filter(username__in=chunk)})
        users = [by_name[row.username] for row in rows]
        self._after_create(users, rows)
        return users

    def _after_create(self, users: list, rows: Sequence[NewUser]) -> None:
        """Hook for host-specific rows created with the accounts."""

    def update_users_bulk(self, changes: Sequence[UserChange]) -> int:
        """Set name and email of existing accounts; returns how many were changed."""
        user_model = get_user_model()
        objs = []
        for change in changes:
            first, last = _split_name(change.name)
            objs.append(
                user_model(pk=change.user_id, email=change.email, first_name=first, last_name=last)
            )
        user_model.objects.bulk_update(objs, ["email", "first_name", "last_name"], batch_size=CHUNK)
        return len(objs)

    def make_unusable(self, user) -> None:
        """No password can sign in to this account any more (records are kept)."""
        user.set_unusable_password()
        user.save(update_fields=["password"])

    def revoke_tokens(self, user) -> int:
        """The standalone site issues no API tokens."""
        return 0


def _profile_model():
    try:
        from common.djangoapps.student.models import UserProfile  # noqa: PLC0415
    except ImportError:
        return None
    return UserProfile


def _token_models():
    """The OAuth2 provider's token models (`host.tokens`), () outside the platform."""
    from elearn_plugin.host.tokens import token_models  # noqa: PLC0415

    return token_models()


class HostUserAdapter(StandaloneUserAdapter):
    """Open edX accounts: also the LMS's UserProfile (name) and OAuth2 token revocation."""

    def _after_create(self, users: list, rows: Sequence[NewUser]) -> None:
        profile_model = _profile_model()
        if profile_model is None:
            return
        profile_model.objects.bulk_create(
            [
                profile_model(user=user, name=row.name)
                for user, row in zip(users, rows, strict=True)
            ],
            batch_size=CHUNK,
        )

    def update_users_bulk(self, changes: Sequence[UserChange]) -> int:
        """Also renames the LMS profile, which the LMS shows as the learner's full name."""
        count = super().update_users_bulk(changes)
        profile_model = _profile_model()
        if profile_model is None:
            return count
        names = {change.user_id: change.name for change in changes}
        ids = list(names)
        for chunk in chunked(ids, CHUNK):
            profiles = list(profile_model.objects.filter(user_id__in=chunk))
            for profile in profiles:
                profile.name = names[profile.user_id]
            profile_model.objects.bulk_update(profiles, ["name"], batch_size=CHUNK)
        return count

    def revoke_tokens(self, user) -> int:
        """Delete the user's OAuth2 access and refresh tokens (mobile apps, API clients).

        For many learners at once use `host.tokens.get_token_adapter().revoke_for_users`.
        """
        deleted = 0
        for model in _token_models():
            count, _rows = model.objects.filter(user_id=user.pk).delete()
            deleted += count
        return deleted


def get_user_adapter() -> UserAdapter:
    """The adapter named by ELEARN_USER_ADAPTER (read at call time)."""
    dotted = setting("ELEARN_USER_ADAPTER")
    return import_string(dotted)()
