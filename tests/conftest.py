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


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "no_principal: run without the suite's default audit principal, to prove that the code "
        "under test attributes its changes itself (ADR 0009)",
    )


@pytest.fixture(autouse=True)
def audit_principal(request):
    """Changes a test makes by calling a service directly are attributed to `system:tests`.

    Views, jobs, commands and tasks attribute their own changes; their tests carry the
    `no_principal` mark, so a writer called there without an actor fails as in production.
    """
    if request.node.get_closest_marker("no_principal"):
        yield None
        return
    from elearn_plugin.audit import acting_as  # noqa: PLC0415

    with acting_as("system:tests") as actor:
        yield actor
