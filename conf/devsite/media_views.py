"""The standalone site's demo media, served with HTTP Range requests (P-17).

A browser seeks in a video by asking for a byte range; a server that answers every request
with the whole file (Django's static view, `runserver`'s static handler) makes the player
jump back to 0:00 when the learner seeks back inside the watched part. This view answers
`Range: bytes=…` with 206 and `Content-Range`, an unsatisfiable range with 416, and
everything else with 200 and `Accept-Ranges: bytes`. It serves only the files of
`conf/devsite/media/`, by name.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed

MEDIA_DIR = Path(__file__).resolve().parent / "media"
_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".m4v": "video/mp4", ".vtt": "text/vtt"}


def _file(name: str) -> Path:
    if not _NAME_RE.match(name) or name.startswith("."):
        raise Http404("No such media file.")
    path = MEDIA_DIR / name
    if not path.is_file():
        raise Http404("No such media file.")
    return path


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range `(first, last)` asked for, or None when it cannot be served.

    One range only (`bytes=first-last`, `bytes=first-`, `bytes=-suffix`), as video players
    ask; a list of ranges is not served as multipart.
    """
    match = _RANGE_RE.match(header.strip())
    if match is None or size <= 0:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0:
            return None
        return max(0, size - suffix), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or end < start:
        return None
    return start, end


def demo_media(request, name: str) -> HttpResponse:
    """GET or HEAD one demo clip, whole or a byte range."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    path = _file(name)
    size = path.stat().st_size
    content_type = _TYPES.get(path.suffix.lower()) or (
        mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    header = request.headers.get("Range", "")
    if not header:
        response = FileResponse(path.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    byte_range = parse_range(header, size)
    if byte_range is None:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = byte_range
    with path.open("rb") as media:
        media.seek(first)
        body = media.read(last - first + 1)
    response = HttpResponse(body if request.method == "GET" else b"", status=206)
    response["Content-Type"] = content_type
    response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(len(body))
    response["Accept-Ranges"] = "bytes"
    return response
