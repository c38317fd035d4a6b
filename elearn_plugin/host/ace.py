"""The platform's mail path (edx-ace) and the learners' language preferences, for the outbox.

Every Open edX install has edx-ace; the standalone site may not, and then the outbox sends
with plain Django mail and these helpers say so.
"""

from __future__ import annotations

from collections.abc import Callable

try:
    from edx_ace.message import MessageType as AceMessageType
except ImportError:  # pragma: no cover - edx-ace is part of every Open edX install

    class AceMessageType:  # type: ignore[no-redef]
        """Stand-in where edx-ace is absent: only the name and context are used then."""

        NAME: str | None = None
        APP_LABEL: str | None = None

        def __init__(self, context: dict | None = None, **kwargs):
            self.context = dict(context or {})
            self.options: dict = {}
            self.name = self.NAME
            self.app_label = self.APP_LABEL


def ace_installed() -> bool:
    try:
        import edx_ace  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def host_languages(user_ids: set[int]) -> dict[int, str]:
    """The learners' language preferences inside Open edX (one query); empty elsewhere."""
    if not user_ids:
        return {}
    try:
        from openedx.core.djangoapps.lang_pref import LANGUAGE_KEY  # noqa: PLC0415
        from openedx.core.djangoapps.user_api.models import UserPreference  # noqa: PLC0415
    except ImportError:
        return {}
    try:
        rows = UserPreference.objects.filter(user_id__in=user_ids, key=LANGUAGE_KEY)
        return {uid: value for uid, value in rows.values_list("user_id", "value") if value}
    except Exception:  # noqa: BLE001 - a missing preference falls back to the site language
        return {}


def send_with_ace(
    message_type, context: dict, user_id: int, address: str, language: str, message_id: str
) -> bool:
    """Send one message through edx-ace; True when edx-ace confirmed it by its signal.

    edx-ace swallows its own errors (a missing template drops the message silently), so
    only `ACE_MESSAGE_SENT` for this message's uuid counts as delivery. The Message-ID header
    is set on the message; the `django_email` channel sends it, other channels use their own.
    """
    from edx_ace import ace  # noqa: PLC0415
    from edx_ace.recipient import Recipient  # noqa: PLC0415
    from edx_ace.signals import ACE_MESSAGE_SENT  # noqa: PLC0415

    message = message_type(context=context).personalize(
        recipient=Recipient(lms_user_id=user_id, email_address=address),
        language=language,
        user_context={},
    )
    message.headers = {"Message-ID": message_id}
    confirmed: list[bool] = []
    ace_uuid = str(message.uuid)

    def _on_sent(sender, message: dict, **kwargs) -> None:
        if message.get("uuid") == ace_uuid:
            confirmed.append(True)

    receiver: Callable = _on_sent
    uid = f"elearn-outbox-{ace_uuid}"
    ACE_MESSAGE_SENT.connect(receiver, weak=False, dispatch_uid=uid)
    try:
        ace.send(message)
    finally:
        ACE_MESSAGE_SENT.disconnect(dispatch_uid=uid)
    return bool(confirmed)
