"""Completion adapter: the platform form writes edx-completion's real BlockCompletion."""

import pytest
from completion.models import BlockCompletion
from django.test import override_settings
from waffle.testutils import override_switch

from elearn_plugin.host import completion
from elearn_plugin.host.completion import (
    FakeCompletionAdapter,
    PlatformCompletionAdapter,
    get_completion_adapter,
)

BLOCK = "block-v1:ElearnDemo+SAFE101+2026+type@tracked_video+block@intro"
SWITCH = "completion.enable_completion_tracking"


class _RecordingBackend:
    def __init__(self):
        self.events = []

    def send(self, event):
        self.events.append(event)


@pytest.fixture(autouse=True)
def fresh_request_cache():
    """edx-toggles keeps switch values in the request cache, which the LMS clears per request."""
    from edx_django_utils.cache import RequestCache

    RequestCache.clear_all_namespaces()
    yield
    RequestCache.clear_all_namespaces()


@pytest.fixture(autouse=True)
def host_tracker():
    """The LMS registers an event tracker at start; BlockCompletion emits to it."""
    from eventtracking import tracker

    backend = _RecordingBackend()
    previous = tracker.TRACKERS.get(tracker.DEFAULT_TRACKER_NAME)
    tracker.register_tracker(tracker.Tracker(backends={"recording": backend}))
    yield backend
    if previous is None:
        tracker.TRACKERS.pop(tracker.DEFAULT_TRACKER_NAME, None)
    else:
        tracker.register_tracker(previous)


@pytest.mark.django_db
@override_switch(SWITCH, active=True)
def test_platform_adapter_writes_block_completion_contract(make_user):
    # P-17: after our own verification the host's progress shows the block complete.
    user = make_user()
    adapter = PlatformCompletionAdapter()
    assert adapter.submit(user, BLOCK, 1.0) is True
    row = BlockCompletion.objects.get(user=user)
    assert str(row.block_key) == BLOCK
    assert str(row.context_key) == "course-v1:ElearnDemo+SAFE101+2026"
    assert row.block_type == "tracked_video"
    assert row.completion == 1.0
    # a repeat leaves one row
    assert adapter.submit(user, BLOCK, 1.0) is True
    assert BlockCompletion.objects.filter(user=user).count() == 1


@pytest.mark.django_db
@override_switch(SWITCH, active=False)
def test_platform_adapter_does_nothing_when_host_tracking_is_off(make_user):
    user = make_user()
    assert PlatformCompletionAdapter().submit(user, BLOCK, 1.0) is False
    assert not BlockCompletion.objects.exists()


@pytest.mark.django_db
@override_switch(SWITCH, active=True)
@pytest.mark.parametrize(
    ("block_key", "value"),
    [
        ("course-v1:ElearnDemo+SAFE101+2026", 1.0),
        ("not a key", 1.0),
        (BLOCK, 1.5),
        (BLOCK, -0.1),
        (BLOCK, "1"),
        (BLOCK, True),
    ],
)
def test_platform_adapter_refuses_bad_input(make_user, block_key, value):
    user = make_user()
    with pytest.raises(ValueError):
        PlatformCompletionAdapter().submit(user, block_key, value)
    assert not BlockCompletion.objects.exists()


@pytest.mark.django_db
def test_fake_adapter_records_calls(make_user):
    user = make_user()
    fake = FakeCompletionAdapter()
    assert fake.submit(user, BLOCK, 1) is True
    assert fake.calls == [(user.pk, BLOCK, 1.0)]
    with pytest.raises(ValueError):
        fake.submit(user, "bad", 1.0)


def test_adapter_choice_follows_setting():
    assert get_completion_adapter() is completion._FAKE  # tests run with "fake"
    with override_settings(ELEARN_HOST_ADAPTERS="platform"):
        assert isinstance(get_completion_adapter(), PlatformCompletionAdapter)
    with override_settings(ELEARN_HOST_ADAPTERS="openedx"):
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured):
            get_completion_adapter()
