"""Receivers of the host's account-retirement signals: the plugin erases its personal data.

openedx-platform `openedx/core/djangoapps/user_api/accounts/signals.py` defines
`USER_RETIRE_MAILINGS`, `USER_RETIRE_LMS_CRITICAL` and `USER_RETIRE_LMS_MISC` (plain
Django `Signal()`s). `accounts/views.py` sends them from the retirement pipeline's steps:
- `AccountRetirementView.post` (POST `/api/user/v1/accounts/retire/`, state RETIRING_LMS):
  `USER_RETIRE_LMS_CRITICAL.send(sender=AccountRetirementView, user=user,
  retired_username=..., retired_email=...)`, before it blanks the user's names and replaces
  the username and e-mail with the retired ones;
- `LMSAccountRetirementView.post` (POST `/api/user/v1/accounts/retire_misc/`):
  `USER_RETIRE_LMS_MISC.send(sender=..., user=...)`, then `USER_RETIRE_MAILINGS.send(
  sender=..., email=<original>, new_email=<retired>, user=...)`.

Both views call `Signal.send` (not `send_robust`) inside `try: ... except Exception:` and
answer HTTP 500 with the exception's text; the retirement driver then marks the learner's
retirement as failed and an operator runs the step again. So a receiver raises only when the
erasure really failed (its own `transaction.atomic()` rolled back, nothing half-erased), so
that the step is retried instead of reported done while personal data remains; a payload it
cannot use (no user) changes nothing and is logged. Logs name the user id only (P-32): the
exception is logged by class name, as a database error's text may quote the values.

`USER_RETIRE_LMS_CRITICAL` erases everything (`retirement.retire_person`);
`USER_RETIRE_MAILINGS` does the same earlier in the pipeline, so that no plugin e-mail goes to
an account whose mailings the platform retired. The writer is idempotent: the second signal
finds nothing left and changes nothing.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

_ACCOUNTS = "openedx.core.djangoapps.user_api.accounts.signals"
USER_RETIRE_LMS_CRITICAL_PATH = f"{_ACCOUNTS}.USER_RETIRE_LMS_CRITICAL"
USER_RETIRE_MAILINGS_PATH = f"{_ACCOUNTS}.USER_RETIRE_MAILINGS"


def _user_id(user: object) -> int | None:
    user_id = getattr(user, "id", None)
    if isinstance(user_id, int) and not isinstance(user_id, bool) and user_id > 0:
        return user_id
    return None


def _retire(signal_name: str, receiver: str, user: object) -> bool:
    """Erase the learner's personal data as `receiver:<receiver>`; raises if it failed."""
    user_id = _user_id(user)
    if user_id is None:
        log.warning(
            "%s without a valid user (%s): nothing retired", signal_name, type(user).__name__
        )
        return False
    from elearn_plugin.audit import acting_as  # noqa: PLC0415
    from elearn_plugin.retirement import retire_person  # noqa: PLC0415

    try:
        with acting_as(f"receiver:{receiver}"):
            return retire_person(user_id)
    except Exception as exc:
        log.error(
            "%s for user %s: the personal data was not erased (%s); the platform's "
            "retirement step fails and is to be run again",
            signal_name,
            user_id,
            type(exc).__name__,
        )
        raise


def retire_lms_critical(sender=None, user=None, **kwargs) -> None:
    """The LMS retires the account (`retired_username`/`retired_email` are not needed: the
    plugin keeps neither username nor e-mail): erase the learner's personal data (P-32)."""
    _retire("USER_RETIRE_LMS_CRITICAL", "retire_lms_critical", user)


def retire_mailings(sender=None, user=None, **kwargs) -> None:
    """The LMS retires the account's mailings (`email`, `new_email` unused): erase the same,
    which gives up the learner's unsent messages."""
    _retire("USER_RETIRE_MAILINGS", "retire_mailings", user)
