"""What a refused sign-in tells the learner, and how the refusal travels to the answer (P-8).

The refusal is decided where the password is checked (`standing.backends.SignInGateBackend`,
and only after the host's own backends accepted the password), recorded on the current
request, and written into the answer the client reads by `SignInRefusalMiddleware`: the
login JSON the authn MFE shows, or the OAuth2 token error the apps get. A wrong password is
never recorded, so it gets the platform's usual answer. See ADR 0007.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from elearn_plugin.conf import setting
from elearn_plugin.gate import format_end, reason_text
from elearn_plugin.standing.services import Block

# The authn MFE's LoginFailure (frontend-app-authn, Palm to Verawood) replaces the server's
# text with its own for every error code but this one, whose `context.errorMessage` it shows
# under its own heading ("We are sorry, you are not authorized to access ... Error Details:").
MFE_ERROR_CODE = "tpa-authentication-failure"
# Our own code for programs, in the context and in the OAuth2 error.
BLOCKED_CODES = {"suspension": "suspended", "revocation": "revoked", "freeze": "frozen"}
PASSWORD_CHANGE_REQUIRED = "password_change_required"

_REQUEST_ATTRIBUTE = "_elearn_sign_in_refusal"


@dataclass(frozen=True)
class SignInRefusal:
    """Why this sign-in is refused although the password was right."""

    code: str  # suspended | revoked | frozen | password_change_required
    message: str
    ends_at: datetime | None = None

    def context(self) -> dict:
        """The `context` of the login JSON; the MFE reads `error_message` (camel-cased)."""
        return {
            "error_message": self.message,
            "elearn_code": self.code,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
        }


def reinstatement_help() -> str:
    """How to apply for reinstatement: the operator's text, else the sentence with the
    address of the application page.

    `ELEARN_REINSTATEMENT_HELP` is a text, or a dict from language code ("zh-cn", "en") to
    text; the current language, then its base language, then "en" is used.
    """
    configured = setting("ELEARN_REINSTATEMENT_HELP")
    if isinstance(configured, dict):
        language = (get_language() or "en").lower()
        for key in (language, language.split("-")[0], "en"):
            if configured.get(key):
                return str(configured[key])
        configured = ""
    if configured:
        return str(configured)
    url = reinstatement_url()
    if not url:
        return _("To have it reopened, send an application to the HR centre.")
    return _("To have it reopened, apply to the HR centre at %(url)s") % {"url": url}


def reinstatement_url() -> str:
    """The address of the reinstatement application (absolute when a request is served)."""
    from django.urls import NoReverseMatch, reverse  # noqa: PLC0415

    try:
        path = reverse("elearn:reinstatement-request")
    except NoReverseMatch:  # the plugin's URLs are not mounted
        return ""
    request = current_request()
    if request is None:
        return path
    try:
        return django_request(request).build_absolute_uri(path)
    except Exception:  # noqa: BLE001 - a request without a usable host still gets the path
        return path


def block_refusal(block: Block) -> SignInRefusal:
    """The reason and the end date (or "until HR reinstates you") of a block, for its owner."""
    reason = reason_text(block)
    code = BLOCKED_CODES.get(block.kind, "suspended")
    if block.kind == "suspension" and block.ends_at is not None:
        message = _(
            "Your account is suspended until %(end)s. Reason: %(reason)s. "
            "You can sign in again from then on."
        ) % {"end": format_end(block.ends_at), "reason": reason}
    elif block.kind == "revocation":
        message = _(
            "Your account has been revoked. Reason: %(reason)s. "
            "It stays closed until the HR centre reinstates you. %(apply)s"
        ) % {"reason": reason, "apply": reinstatement_help()}
    elif block.kind == "freeze":
        message = _(
            "Your account is frozen. Reason: %(reason)s. "
            "It stays closed until the HR centre reinstates you. %(apply)s"
        ) % {"reason": reason, "apply": reinstatement_help()}
    else:
        message = _("Your account is blocked. Reason: %(reason)s.") % {"reason": reason}
    return SignInRefusal(code=code, message=message, ends_at=block.ends_at)


def password_change_refusal(change_url: str) -> SignInRefusal:
    """An app asked for a token with the initial password HR handed out (P-2)."""
    message = _(
        "Before using the app, change the initial password HR gave you: sign in once in a "
        "web browser at %(url)s and choose a new password."
    ) % {"url": change_url}
    return SignInRefusal(code=PASSWORD_CHANGE_REQUIRED, message=message)


# --- the current request ----------------------------------------------------------------


def django_request(request):
    """The Django `HttpRequest` behind a DRF `Request` (or the request itself)."""
    return getattr(request, "_request", request)


def current_request():
    """The request being served (django-crum, installed by the platform's MIDDLEWARE)."""
    try:
        from crum import get_current_request  # noqa: PLC0415
    except ImportError:  # pragma: no cover - edx-django-utils depends on django-crum
        return None
    return get_current_request()


def record_refusal(request, refusal: SignInRefusal) -> None:
    """Remember, for the answer of this request, why its right password was refused."""
    if request is not None:
        setattr(django_request(request), _REQUEST_ATTRIBUTE, refusal)


def recorded_refusal(request) -> SignInRefusal | None:
    """The refusal recorded on this request, if any."""
    if request is None:
        return None
    return getattr(django_request(request), _REQUEST_ATTRIBUTE, None)


def is_password_grant(request) -> bool:
    """Whether this request asks the OAuth2 token endpoint for a password grant (the apps)."""
    request = django_request(request) if request is not None else None
    if request is None or getattr(request, "method", "") != "POST":
        return False
    try:
        return request.POST.get("grant_type") == "password"
    except Exception:  # noqa: BLE001 - an unreadable body is not a password grant
        return False


def login_endpoints() -> tuple[str, ...]:
    """The paths of the host's browser sign-in endpoints (the authn MFE posts to these)."""
    return tuple(str(path) for path in setting("ELEARN_LOGIN_ENDPOINTS"))


def is_login_endpoint(path: str) -> bool:
    return path in login_endpoints()
