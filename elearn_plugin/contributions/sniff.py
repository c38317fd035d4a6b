"""What an uploaded file is, from its first bytes: never from its name or the browser's word.

Only kinds a learner's contribution needs are accepted (text, images, video, PDF);
archives (a zip bomb is one), executables and scripts are refused whatever they are called.
"""

from __future__ import annotations

SNIFF_BYTES = 4096
# (magic bytes, offset, content type, extension)
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm", "webm"),
    (b"ftyp", 4, "video/mp4", "mp4"),
)
REFUSED = (
    (b"PK\x03\x04", "archive"),
    (b"\x1f\x8b", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"Rar!", "archive"),
    (b"MZ", "program"),
    (b"\x7fELF", "program"),
    (b"#!", "script"),
)


def kind_of(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file starting with `head`, or None when refused."""
    for magic, _reason in REFUSED:
        if head.startswith(magic):
            return None
    for magic, offset, content_type, extension in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    if _is_text(head):
        return "text/plain", "txt"
    return None


def refusal_of(head: bytes) -> str:
    """Why a file is refused, as a code: archive, program, script or unknown."""
    for magic, reason in REFUSED:
        if head.startswith(magic):
            return reason
    return "unknown"


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed bytes is still text.
        return exc.start >= len(head) - 3
    return True
