"""The standalone site's demo clips are served with HTTP Range requests (P-17).

Without Range support a browser cannot seek inside a clip it has not buffered whole: seeking
back inside the watched part jumps to 0:00 (what the dev site's static server did).
"""

import pytest
from django.test import RequestFactory

from conf.devsite import media_views

CLIP = "clip.mp4"
SIZE = (media_views.MEDIA_DIR / CLIP).stat().st_size
DATA = (media_views.MEDIA_DIR / CLIP).read_bytes()


def _get(range_header=None, name=CLIP, method="get"):
    extra = {"HTTP_RANGE": range_header} if range_header else {}
    request = getattr(RequestFactory(), method)(f"/elearn-demo-media/{name}", **extra)
    return media_views.demo_media(request, name)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# P-17: a byte range is answered 206 with Content-Range and only those bytes
@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, SIZE - 1),
        ("bytes=-50", SIZE - 50, SIZE - 1),
        (f"bytes=10-{SIZE + 500}", 10, SIZE - 1),
    ],
)
def test_range_is_answered_206(header, first, last):
    response = _get(header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert _body(response) == DATA[first : last + 1]
    assert int(response["Content-Length"]) == last - first + 1


# P-17: a range outside the file is answered 416 with the size
@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"])
def test_unsatisfiable_range_is_416(header):
    response = _get(header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


# P-17: without a Range header the whole clip, saying ranges are accepted
def test_whole_file_says_ranges_are_accepted():
    response = _get()
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == DATA


# P-32: only the clips themselves, by name; nothing else on the disk
@pytest.mark.parametrize("name", ["../settings.py", ".hidden", "missing.mp4", "a/b.mp4"])
def test_only_demo_files_are_served(name):
    from django.http import Http404

    with pytest.raises(Http404):
        _get(name=name)


def test_other_methods_are_refused():
    assert _get(method="post").status_code == 405
    assert _get("bytes=0-9", method="head").status_code == 206


# The dev site mounts the view before the stand-in LMS's patterns, under the scenario's path.
def test_devsite_mounts_the_view_before_the_lms():
    source = (media_views.MEDIA_DIR.parent / "urls.py").read_text(encoding="utf-8")
    mounted = source.index('path("elearn-demo-media/<str:name>", media_views.demo_media')
    assert mounted < source.index("*lms_urlpatterns")
    from elearn_plugin.xblocks.tracked_video.block import TrackedVideoBlock

    scenario = TrackedVideoBlock.workbench_scenarios()[0][1]
    assert 'src="/elearn-demo-media/clip.webm"' in scenario
