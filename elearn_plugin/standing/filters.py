"""openedx-filters steps of the standing domain (P-8).

`RefuseBlockedLogin` runs in the LMS's `login_user` before the password is checked, so its
message must not tell whoever typed a username anything about that account: it reads like a
wrong password. The learner sees the reason and end date on the site's own pages (the
session middleware) or, on the standalone site, after a correct password.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from openedx_filters.filters import PipelineStep
from openedx_filters.learning.filters import StudentLoginRequested

from elearn_plugin.standing.services import active_block

FILTER_TYPE = StudentLoginRequested.filter_type
STEP_PATH = "elearn_plugin.standing.filters.RefuseBlockedLogin"


def generic_refusal_message() -> str:
    """The message of a refused sign-in: the same words as a wrong password in the LMS."""
    return _("Email or password is incorrect.")


class RefuseBlockedLogin(PipelineStep):
    """Refuse the sign-in of a suspended, revoked or frozen account."""

    def run_filter(self, user):  # pylint: disable=arguments-differ
        # The LMS passes None when no account matches what was typed.
        if user is None or getattr(user, "pk", None) is None:
            return {"user": user}
        if active_block(user.pk) is not None:
            raise StudentLoginRequested.PreventLogin(
                generic_refusal_message(), error_code="incorrect-email-or-password"
            )
        return {"user": user}
