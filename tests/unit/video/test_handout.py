"""The tracked video's handout and transcript: authored safely, shown escaped under the player
with a download link a thumb can hit, handed to the apps, readable by the host's Notes (P-19)."""

import json
import sys
import types

import pytest
from lxml import etree
from xblock.validation import Validation

from elearn_plugin.xblocks.tracked_video import block as block_module
from elearn_plugin.xblocks.tracked_video.block import OlxError, TrackedVideoBlock
from elearn_plugin.xblocks.tracked_video.handout import asset_url, safe_handout
from tests.unit.video.test_block import _Runtime

OLX = """<elearn_video display_name="Fire safety" duration="60.0"
  handout_url="/static/fire-safety.pdf" handout_label="Fire safety handout (PDF)"
  transcript="/static/fire.vtt">
  <source src="/static/fire.mp4"/>
  <transcript_text>Line one &lt;b&gt;bold?&lt;/b&gt;
Line two.</transcript_text>
</elearn_video>"""


@pytest.fixture
def runtime():
    return _Runtime()


@pytest.fixture
def block(runtime):
    return runtime.get_block(runtime.parse_xml_string(OLX))


def _olx(handout_url: str) -> str:
    return (
        f'<elearn_video duration="5" handout_url="{handout_url}">'
        '<source src="/a.mp4"/></elearn_video>'
    )


# P-19: the author's handout and transcript round-trip through OLX and Studio's fields
def test_handout_fields_round_trip(block, runtime):
    assert block.handout_url == "/static/fire-safety.pdf"
    assert block.handout_label == "Fire safety handout (PDF)"
    assert block.transcript_text == "Line one <b>bold?</b>\nLine two."
    node = etree.Element("x")
    block.add_xml_to_node(node)
    again = runtime.get_block(runtime.parse_xml_string(etree.tostring(node).decode()))
    for name in ("handout_url", "handout_label", "transcript_text"):
        assert getattr(again, name) == getattr(block, name)
        assert name in TrackedVideoBlock.editable_fields  # Studio's editor offers it
    assert TrackedVideoBlock.transcript_text.runtime_options["multiline_editor"] is True


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example.com/x.pdf",
        "/elearn/api/v1/anything",
        "https://x.example.com/a b.pdf",
        "vbscript:msgbox",
    ],
)
# P-19: only http(s) addresses and course assets; nothing a browser would run
def test_unsafe_handouts_are_refused_at_import_and_in_studio(runtime, block, url):
    assert not safe_handout(url)
    with pytest.raises(OlxError):
        runtime.parse_xml_string(_olx(url.replace("<", "&lt;").replace(">", "&gt;")))
    validation = Validation(block.scope_ids.usage_id)
    data = types.SimpleNamespace(
        duration=60.0,
        max_playback_rate=1.0,
        sources=["/a.mp4"],
        transcript="",
        handout_url=url,
        handout_label="",
        transcript_text="",
    )
    block.validate_field_data(validation, data)
    assert not validation.empty


@pytest.mark.parametrize(
    "url",
    [
        "/static/handout.pdf",
        "/asset-v1:Org+C1+2026+type@asset+block@handout.pdf",
        "https://intranet.example.com/safety/handout",
        "http://intranet.example.com/h.pdf",
    ],
)
def test_safe_handouts_are_accepted(runtime, url):
    assert runtime.get_block(runtime.parse_xml_string(_olx(url))).handout_url == url


def test_a_long_label_or_transcript_is_refused(runtime):
    with pytest.raises(OlxError):
        runtime.parse_xml_string(
            f'<elearn_video duration="5" handout_url="/static/a.pdf" handout_label="{"x" * 121}">'
            '<source src="/a.mp4"/></elearn_video>'
        )


# P-19: a download link with a large tap target, and the transcript escaped in a <details>
def test_student_view_shows_the_handout_and_the_transcript(block):
    block.handout_label = '<img src=x onerror="alert(1)">'
    html = block.student_view({}).body_html()
    link = etree.HTML(html).xpath('//a[contains(@class, "elearn-video-extras__handout")]')[0]
    assert link.get("href") == "/static/fire-safety.pdf"
    assert link.get("download") is not None
    assert link.text == '<img src=x onerror="alert(1)">'  # shown as text, not markup
    assert "<img src=x" not in html and "<b>bold?</b>" not in html
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html
    details = etree.HTML(html).xpath("//details")[0]
    assert details.xpath("./summary")[0].text == "Transcript"
    assert "Line two." in "".join(details.itertext())
    assert details.xpath('.//a[@href="/static/fire.vtt"][@download]')  # the captions file


def test_the_handout_link_is_a_thumb_sized_target_at_phone_width():
    from xblock.utils.resources import ResourceLoader

    css = ResourceLoader(block_module.__name__).load_unicode("static/css/player.css")
    assert (
        ".elearn-video-extras__handout{display:inline-flex;align-items:center;min-height:2.75rem"
        in css
    )
    phone = css.split("@media (max-width:480px){", 1)[1]
    assert ".elearn-video-extras__handout{display:flex;width:100%" in phone


def test_nothing_to_read_adds_nothing(runtime):
    plain = runtime.get_block(
        runtime.parse_xml_string('<elearn_video duration="5"><source src="/a.mp4"/></elearn_video>')
    )
    assert plain.get_html() == ""
    assert "elearn-video-extras" not in plain.student_view({}).body_html()
    data = plain.student_view_data()
    assert data["handout"] is None and data["transcript_text"] == ""


# P-19: the apps get the handout at the course's asset address and the transcript text
def test_student_view_data_carries_the_handout_for_the_apps(block, monkeypatch):
    monkeypatch.setattr(TrackedVideoBlock, "keys", lambda self: ("course-v1:Org+C1+2026", "b"))
    data = block.student_view_data()
    assert data["handout"] == {
        "url": "/asset-v1:Org+C1+2026+type@asset+block@fire-safety.pdf",
        "label": "Fire safety handout (PDF)",
    }
    assert data["transcript_text"].startswith("Line one <b>")  # data, not HTML: the app escapes
    json.dumps(data)
    assert (
        asset_url("https://x.example.com/a.pdf", "course-v1:O+C+R") == "https://x.example.com/a.pdf"
    )
    assert asset_url("/static/a.pdf", "lib:Org:lib") == "/static/a.pdf"


def _notes_decorator(cls):
    """What the platform's Notes decorator does (`edxnotes.decorators.edxnotes`): it replaces the
    class's `get_html` with one that wraps the original HTML in the annotator's wrapper."""
    original = cls.get_html

    def get_html(self, *args, **kwargs):
        content = original(self, *args, **kwargs)
        return f'<div class="edx-notes-wrapper-content">{content}</div>'

    cls.get_html = get_html
    return cls


# P-19: where the site runs Notes, the transcript and handout are the annotatable text
def test_the_host_notes_wrap_the_transcript_and_handout(runtime):
    annotated = _notes_decorator(type("AnnotatedVideo", (TrackedVideoBlock,), {}))
    usage = runtime.parse_xml_string(OLX)
    block = runtime.get_block(usage)
    block.__class__ = annotated
    html = block.student_view({}).body_html()
    wrapper = etree.HTML(html).xpath('//div[@class="edx-notes-wrapper-content"]')[0]
    text = "".join(wrapper.itertext())
    assert "Line two." in text and "Fire safety handout (PDF)" in text
    assert not wrapper.xpath(".//video")  # the player's controls are not annotated
    assert "<video" in html


def test_without_notes_the_block_is_undecorated(monkeypatch):
    # Studio, the workbench and a site without Notes: the import falls back to no decorator.
    monkeypatch.setitem(sys.modules, "xmodule.edxnotes_utils", None)
    assert block_module.edxnotes(TrackedVideoBlock) is TrackedVideoBlock
    assert TrackedVideoBlock.get_html.__qualname__ == "HandoutMixin.get_html"


def test_studio_offers_the_new_fields(block):
    html = block.studio_view({}).body_html()
    for name in ("handout_url", "handout_label", "transcript_text"):
        assert f'data-field-name="{name}"' in html
    assert "<textarea" in html  # the transcript is edited as several lines
