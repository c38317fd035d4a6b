"""The `elearn_video` XBlock: OLX, views, mobile data and the completion handler (P-17, P-19)."""

import json

import pytest
from django.test import RequestFactory
from freezegun import freeze_time
from xblock.django.request import django_to_webob_request
from xblock.field_data import DictFieldData
from xblock.fields import ScopeIds
from xblock.runtime import (
    DictKeyValueStore,
    KvsFieldData,
    MemoryIdManager,
    NullI18nService,
    Runtime,
)

from elearn_plugin.video import services
from elearn_plugin.video.models import TrackedVideo, WatchSession
from elearn_plugin.xblocks.tracked_video.block import OlxError, TrackedVideoBlock
from tests.unit.video.conftest import SUNDAY_EVENING, enrol, later

OLX = """<elearn_video display_name="Safety intro" duration="60.0" max_playback_rate="1.5"
  credited_seconds="600" transcript="/static/intro.vtt">
  <source src="https://media.example.com/intro.mp4"/>
  <source src="/asset-v1:Org+C1+2026+type@asset+block@intro.webm"/>
</elearn_video>"""


class _Runtime(Runtime):
    """A small runtime: in-memory fields, Django's translations, published events kept."""

    def __init__(self):
        ids = MemoryIdManager()
        super().__init__(
            id_reader=ids,
            id_generator=ids,
            field_data=KvsFieldData(DictKeyValueStore()),
            services={"i18n": NullI18nService()},
        )
        self.published = []

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        return f"/handler/{handler_name}"

    def resource_url(self, resource):
        return f"/resource/{resource}"

    def local_resource_url(self, block, uri):
        return f"/local/{uri}"

    def publish(self, block, event_type, event_data):
        self.published.append((event_type, event_data))


@pytest.fixture
def runtime():
    return _Runtime()


@pytest.fixture
def block(runtime):
    usage = runtime.parse_xml_string(OLX)
    return runtime.get_block(usage)


def _call(block, handler, user, body=b"{}"):
    request = RequestFactory().post(
        "/handler", data=body, content_type="application/json", REMOTE_ADDR="10.0.0.5"
    )
    request.user = user
    request.session = None
    response = block.handle(handler, django_to_webob_request(request))
    return response.status_code, json.loads(response.body or b"{}")


# P-17: OLX round-trips
def test_olx_round_trip(block, runtime):
    assert block.display_name == "Safety intro"
    assert block.duration == 60.0 and block.max_playback_rate == 1.5
    assert block.credited_seconds == 600 and block.transcript == "/static/intro.vtt"
    assert block.sources == [
        "https://media.example.com/intro.mp4",
        "/asset-v1:Org+C1+2026+type@asset+block@intro.webm",
    ]
    exported = runtime.export_to_xml_string = None  # noqa: F841
    from lxml import etree

    node = etree.Element("x")
    block.add_xml_to_node(node)
    again = runtime.get_block(runtime.parse_xml_string(etree.tostring(node).decode()))
    for field in TrackedVideoBlock.editable_fields:
        assert getattr(again, field) == getattr(block, field)


XXE = """<?xml version="1.0"?>
<!DOCTYPE elearn_video [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<elearn_video display_name="&secret;" duration="5"><source src="/a.mp4"/></elearn_video>"""


# P-17: OLX with a DTD or entities is refused, never expanded
def test_olx_with_dtd_or_entities_is_refused(runtime):
    from lxml import etree

    for text in (XXE, '<!DOCTYPE x [<!ENTITY a "aaaa">]><elearn_video display_name="&a;"/>'):
        with pytest.raises((OlxError, etree.XMLSyntaxError)):
            runtime.parse_xml_string(text)


@pytest.mark.parametrize(
    "olx",
    [
        '<elearn_video duration="abc"><source src="/a.mp4"/></elearn_video>',
        '<elearn_video duration="-1"><source src="/a.mp4"/></elearn_video>',
        '<elearn_video duration="5" max_playback_rate="4"><source src="/a.mp4"/></elearn_video>',
        '<elearn_video duration="5"></elearn_video>',
        '<elearn_video duration="5"><source src="javascript:alert(1)"/></elearn_video>',
        '<elearn_video duration="NaN"><source src="/a.mp4"/></elearn_video>',
    ],
)
# P-17: bad authored values are refused at import
def test_bad_olx_values_are_refused(runtime, olx):
    with pytest.raises(OlxError):
        runtime.parse_xml_string(olx)


def test_block_class_flags():
    assert TrackedVideoBlock.has_custom_completion is True
    # multi_device is a property of the view (tests/host/test_xblock_runtime.py asks as the LMS).
    assert "multi_device" in TrackedVideoBlock.student_view._supports


# P-19: the player page carries the endpoints and translated strings; values are escaped
def test_student_view_renders_player(block):
    block.display_name = '<script>alert("x")</script>'
    frag = block.student_view({})
    html = frag.body_html()
    assert "<video" in html and "https://media.example.com/intro.mp4" in html
    assert '<script>alert("x")</script>' not in html
    assert frag.js_init_fn == "ElearnTrackedVideo"
    assert frag.json_init_args["report_url"] == "/elearn/api/v1/video/report"
    assert frag.json_init_args["max_rate"] == 1.5
    assert frag.json_init_args["strings"]["no_seek"]


# P-19: content only, with a fixed schema, for the mobile apps
def test_student_view_data_schema(block):
    data = block.student_view_data()
    assert set(data) == {
        "title",
        "sources",
        "duration",
        "max_playback_rate",
        "transcript",
        "handlers",
        "report_path",
        "handout",
        "transcript_text",
    }
    assert isinstance(data["duration"], float) and data["max_playback_rate"] <= 2.0
    assert set(data["handlers"]) == {"start_session", "state", "complete", "media_duration"}
    json.dumps(data)  # serialisable


# P-17: `complete` publishes only when the server's own record exists
def test_complete_handler_checks_the_stored_record(block, runtime, learner):
    status, body = _call(block, "complete", learner)
    assert status == 409 and body["code"] == "not_complete"
    assert runtime.published == []

    with freeze_time(SUNDAY_EVENING):
        status, session = _call(block, "start_session", learner)
    assert status == 200 and session["ok"] and session["duration"] == 60.0
    assert WatchSession.objects.get().ip == "10.0.0.5"
    assert TrackedVideo.objects.get().credited_seconds == 600
    services.accept_report(
        learner,
        {"token": session["token"], "seq": 1, "start": 0, "end": 60},
        now=later(SUNDAY_EVENING, 61),
    )
    status, body = _call(block, "complete", learner)
    assert status == 200 and body["ok"]
    assert runtime.published == [("completion", {"completion": 1.0})]
    status, state = _call(block, "state", learner)
    assert state["complete"] and state["watched_seconds"] == 60


# P-31: handlers refuse anonymous users and bad bodies
def test_handlers_refuse_anonymous_and_bad_bodies(block, learner):
    from django.contrib.auth.models import AnonymousUser

    for handler in ("start_session", "complete", "state", "media_duration"):
        status, body = _call(block, handler, AnonymousUser())
        assert status == 401, handler
    assert _call(block, "start_session", learner, b"[1, 2]")[0] == 400
    assert _call(block, "start_session", learner, b"{nope")[0] == 400
    assert _call(block, "start_session", learner, b'{"a": "' + b"x" * 5000 + b'"}')[0] == 413
    assert not WatchSession.objects.exists()


# P-17: the media's duration is the learner's evidence through the handler, not the record
def test_media_duration_handler(block, learner):
    with freeze_time(SUNDAY_EVENING):
        _call(block, "start_session", learner)
    status, body = _call(block, "media_duration", learner, b'{"duration": 64.5}')
    assert status == 200 and body["mismatch"] is True
    video = TrackedVideo.objects.get()
    assert video.media_duration is None and not video.duration_mismatch
    status, body = _call(block, "media_duration", learner, b'{"duration": "long"}')
    assert status == 400


def test_block_keys_in_the_host_and_standalone(runtime):
    from opaque_keys.edx.keys import UsageKey

    key = UsageKey.from_string("block-v1:Org+C1+2026+type@elearn_video+block@abc")
    hosted = TrackedVideoBlock(runtime, DictFieldData({}), ScopeIds("u", "elearn_video", key, key))
    assert hosted.keys() == ("course-v1:Org+C1+2026", str(key))
    standalone = TrackedVideoBlock(
        runtime, DictFieldData({}), ScopeIds("u", "elearn_video", "d0", "scenario.u0")
    )
    course, block = standalone.keys()
    assert course.startswith("course-v1:") and block.startswith("block-v1:")


HUGE = b"9" * 400
DEEP = b"[" * 1500 + b"]" * 1500


@pytest.mark.parametrize("handler", ["start_session", "state", "media_duration", "complete"])
@pytest.mark.parametrize(
    "body",
    [b'{"duration": ' + HUGE + b"}", b'{"x": ' + DEEP + b"}", DEEP],
    ids=["400 digits", "deep object", "deep array"],
)
# P-17: a 400-digit number or deeply nested JSON answers 400, never 500
def test_handlers_answer_400_to_huge_numbers_and_deep_json(block, learner, handler, body):
    with freeze_time(SUNDAY_EVENING):
        status, answer = _call(block, handler, learner, body)
    if handler == "media_duration" or DEEP in body:
        assert status == 400, answer
        assert answer["message"]
    else:
        assert status in (200, 409), answer  # the body's extra field is not read
    assert not TrackedVideo.objects.filter(media_duration__isnull=False).exists()


def _course_block(runtime, key="block-v1:Org+C1+2026+type@elearn_video+block@abc", **fields):
    from opaque_keys.edx.keys import UsageKey

    usage = UsageKey.from_string(key)
    values = {"duration": 60.0, "sources": ["/a.mp4"], "display_name": "Intro", **fields}
    return TrackedVideoBlock(
        runtime, DictFieldData(values), ScopeIds("u", "elearn_video", usage, usage)
    )


# P-31: the XBlock's session handler refuses a learner the host does not let into the course
def test_start_session_handler_needs_course_access(runtime, learner):
    block = _course_block(runtime)
    with freeze_time(SUNDAY_EVENING):
        status, body = _call(block, "start_session", learner)
    assert status == 403 and body["code"] == "no_course_access" and body["message"]
    assert not WatchSession.objects.exists()
    enrol(learner, "course-v1:Org+C1+2026")
    with freeze_time(SUNDAY_EVENING):
        status, body = _call(block, "start_session", learner)
    assert status == 200 and body["ok"]


def _studio_edit(block, user, values):
    body = json.dumps({"values": values, "defaults": []}).encode()
    return _call(block, "submit_studio_edits", user, body)


# P-17, P-31: a learner cannot shorten the video through the studio-edit handler
def test_studio_edits_need_course_staff(runtime, learner, make_user):
    from elearn_plugin.host.roles import FakeRolesAdapter

    block = _course_block(runtime)
    enrol(learner, "course-v1:Org+C1+2026")
    status, body = _studio_edit(block, learner, {"duration": 5.0})
    assert status == 403 and body["message"]
    assert block.duration == 60.0
    author = make_user()
    FakeRolesAdapter.grant(author.pk, "course-v1:Org+C1+2026")
    try:
        status, body = _studio_edit(block, author, {"duration": 30.0})
    finally:
        FakeRolesAdapter.clear()
    assert status == 200 and body["result"] == "success"
    assert block.duration == 30.0
    # The author's change is the block's record, which sessions read.
    assert TrackedVideo.objects.get().duration == 30.0
    assert _studio_edit(block, make_user(is_staff=True), {"duration": 45.0})[0] == 200


# P-17: a session's duration is the authored record's, even if the block's field was changed
def test_session_takes_the_authored_duration(runtime, learner):
    block = _course_block(runtime)
    enrol(learner, "course-v1:Org+C1+2026")
    services.register_video(block.video_spec())
    block.duration = 5.0  # e.g. an edit that bypassed the course team
    with freeze_time(SUNDAY_EVENING):
        status, body = _call(block, "start_session", learner)
    assert status == 200 and body["duration"] == 60.0


# P-17: a library block is recorded under its library, not a made-up course
def test_library_block_keys_are_the_real_context(runtime):
    block = _course_block(runtime, key="lb:Org:safety:elearn_video:intro")
    assert block.keys() == ("lib:Org:safety", "lb:Org:safety:elearn_video:intro")
    assert block.video_spec().course_key == "lib:Org:safety"
