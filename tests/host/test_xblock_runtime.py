"""How the LMS meets `elearn_video`: loaded from its `xblock.v1` entry point, asked about
`multi_device` and `student_view_data` as the Blocks API does at collect time (P-19).

Mirrors openedx-platform `lms/djangoapps/course_api/blocks/transformers/student_view.py`
(stand-in in tests/host/platform) and XBlock's `XBlock.supports` / `has_support`
(`xblock/core.py`): support is read from the view function, never from the class.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from lms.djangoapps.course_api.blocks.transformers.student_view import (
    STUDENT_VIEW_DATA,
    STUDENT_VIEW_MULTI_DEVICE,
    collect_fields,
)
from xblock.core import XBlock

from tests.unit.video.test_block import OLX, _Runtime


@pytest.fixture
def block():
    runtime = _Runtime()
    runtime.load_block_type = XBlock.load_class  # entry point, as the platform's runtime
    return runtime.get_block(runtime.parse_xml_string(OLX))


def test_block_class_comes_from_the_entry_point():
    block_class = XBlock.load_class("elearn_video")
    assert block_class.__module__ == "elearn_plugin.xblocks.tracked_video.block"
    assert block_class.has_custom_completion is True


# P-19: the mobile apps show the tracked video itself, not "open in a browser"
def test_the_blocks_api_sees_multi_device_support(block):
    fields = collect_fields(block)
    assert fields[STUDENT_VIEW_MULTI_DEVICE] is True
    # Asked as the LMS asks: the plain function from the class, and the bound view.
    assert block.has_support(type(block).student_view, "multi_device")
    assert block.has_support(block.student_view, "multi_device")
    assert not block.has_support(type(block).student_view, "no_such_support")


# P-19: the report path the apps are given is the one the LMS serves
def test_student_view_data_report_path_is_the_mounted_url(block, db):
    data = collect_fields(block)[STUDENT_VIEW_DATA]
    json.dumps(data)  # cached by the platform: must serialise
    assert data["report_path"] == reverse("elearn:video-report")
    assert data["report_path"].startswith("/elearn/")
    # The path resolves in the LMS URL conf: an anonymous POST is refused there, not 404.
    response = Client().post(data["report_path"], data="{}", content_type="application/json")
    assert response.status_code in (401, 403)
