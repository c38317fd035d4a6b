"""openedx-filters steps of the standing domain (P-8).

`RefuseBlockedLogin` runs in the LMS's `login_user` after the lockout check and before the
rate-limit check and the password check; it receives only the user. It does not judge the
password itself (that would run before the platform's rate limit): a username-and-password
sign-in of a blocked learner goes on to `authenticate()`, where `SignInGateBackend` (first in
`AUTHENTICATION_BACKENDS`) refuses it, and the reason reaches the learner only if the host's
backends accepted the password (ADR 0007).

The step refuses by itself where no password will be checked:
- a third-party (SSO) sign-in: the identity provider has proven who it is, so the reason and
  the end date are shown, with the error code the authn MFE displays;
- a call outside any request (no `crum` request): the generic wrong-credentials answer.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from openedx_filters.filters import PipelineStep
from openedx_filters.learning.filters import StudentLoginRequested

from elearn_plugin.standing import signin
from elearn_plugin.standing.services import active_block

FILTER_TYPE = StudentLoginRequested.filter_type
STEP_PATH = "elearn_plugin.standing.filters.RefuseBlockedLogin"
# The fields whose presence makes `login_user` check a password (its first-party sign-in).
FIRST_PARTY_FIELDS = ("email", "email_or_username", "password")


def generic_refusal_message() -> str:
    """The message of a refused sign-in: the same words as a wrong password in the LMS."""
    return _("Email or password is incorrect.")


def _first_party(request) -> bool:
    post = getattr(signin.django_request(request), "POST", None) or {}
    return any(bool(post.get(name)) for name in FIRST_PARTY_FIELDS)


class RefuseBlockedLogin(PipelineStep):
    """Refuse the sign-in of a suspended, revoked or frozen account where no password is checked."""

    def run_filter(self, user):  # pylint: disable=arguments-differ
        # The LMS passes None when no account matches what was typed.
        if user is None or getattr(user, "pk", None) is None:
            return {"user": user}
        block = active_block(user.pk)
        if block is None:
            return {"user": user}
        request = signin.current_request()
        if request is None:
            raise StudentLoginRequested.PreventLogin(
                generic_refusal_message(), error_code="incorrect-email-or-password"
            )
        if _first_party(request):
            # authenticate() refuses it (SignInGateBackend), after the platform's rate limit.
            return {"user": user}
        refusal = signin.block_refusal(block)
        raise StudentLoginRequested.PreventLogin(
            refusal.message, error_code=signin.MFE_ERROR_CODE, context=refusal.context()
        )
