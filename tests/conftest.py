"""Fixtures shared by every suite."""

import itertools

import pytest

_counter = itertools.count(1)


@pytest.fixture
def make_user(db, django_user_model):
    """Create a user; extra keyword arguments go to the model."""

    def _make(username: str | None = None, **kwargs):
        username = username or f"user{next(_counter)}"
        kwargs.setdefault("email", f"{username}@example.com")
        password = kwargs.pop("password", "pass-1234")
        user = django_user_model.objects.create_user(username=username, **kwargs)
        user.set_password(password)
        user.save()
        return user

    return _make
