"""The only writer of contributions: an upload checked by its content, stored under a
generated name, submitted for review like an internal course; points once approved (P-12).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn_plugin.conf import setting
from elearn_plugin.contributions import sniff
from elearn_plugin.contributions.models import Contribution
from elearn_plugin.review import services as review
from elearn_plugin.review.models import ReviewKind

MAX_TITLE = 200
MAX_DESCRIPTION = 4000
READ_CHUNK = 1 << 20


class ContributionError(ValueError):
    """The upload is refused; the message says why and nothing was stored."""


def _head_and_digest(upload) -> tuple[bytes, str, int]:
    upload.seek(0)
    head = upload.read(sniff.SNIFF_BYTES)
    digest, size = hashlib.sha256(head), len(head)
    while chunk := upload.read(READ_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return head, digest.hexdigest(), size


def submit_contribution(user, title: str, description: str, upload) -> Contribution:
    """Store the learner's upload and submit it for review; `ContributionError` if refused."""
    title = title.strip() if isinstance(title, str) else ""
    description = description.strip() if isinstance(description, str) else ""
    if not title or len(title) > MAX_TITLE:
        raise ContributionError(_("Give the contribution a title (at most 200 characters)."))
    if len(description) > MAX_DESCRIPTION:
        raise ContributionError(_("Keep the description under 4000 characters."))
    limit = int(setting("ELEARN_CONTRIBUTION_MAX_BYTES"))
    if upload is None or not getattr(upload, "size", 0):
        raise ContributionError(_("Choose a file to upload."))
    if upload.size > limit:
        raise ContributionError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    head, digest, size = _head_and_digest(upload)
    if size > limit:
        raise ContributionError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    kind = sniff.kind_of(head)
    if kind is None:
        raise ContributionError(
            _(
                "This kind of file is not accepted (it is %(what)s). Upload text, a PDF, an "
                "image (PNG, JPEG, GIF, WebP) or a video (MP4, WebM)."
            )
            % {"what": _refusal_text(sniff.refusal_of(head))}
        )
    content_type, extension = kind
    token = uuid.uuid4().hex  # the stored name: never the learner's file name (P-12)
    name = default_storage.save(f"elearn/contributions/{token}.{extension}", upload)
    try:
        with transaction.atomic():
            item = review.submit(
                kind=ReviewKind.CONTRIBUTION,
                course_key="",
                target_key=f"contribution:{token}",
                fingerprint=f"sha256:{digest}",
                title=title,
                actor=user,
            )
            return Contribution.objects.create(
                user=user,
                title=title,
                description=description,
                file=name,
                original_name=str(getattr(upload, "name", ""))[-255:],
                content_type=content_type,
                size=size,
                sha256=digest,
                review=item,
            )
    except Exception:
        default_storage.delete(name)  # nothing is kept of a refused upload
        raise


def _refusal_text(code: str) -> str:
    return {
        "archive": _("an archive"),
        "program": _("a program"),
        "script": _("a script"),
    }.get(code, _("an unknown kind of file"))


def award_points(item, *, actor, now: datetime | None = None) -> bool:
    """P-12: the policy's points for an approved contribution, once (the ledger's key)."""
    from elearn_plugin.ledger.services import add_entry  # noqa: PLC0415
    from elearn_plugin.policy.runtime import get_policy  # noqa: PLC0415

    contribution = Contribution.objects.filter(review=item).first()
    amount = get_policy().credits.points_per_contribution
    if contribution is None or amount <= 0:
        return False
    return add_entry(
        contribution.user_id,
        "points",
        amount,
        f"contribution:{contribution.pk}",
        now or timezone.now(),
        actor=actor,
    )
