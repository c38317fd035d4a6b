"""Pages of the standalone site. The login view mirrors the LMS's `login_user` order:
find the account, run the `StudentLoginRequested` filter, then `authenticate()` (where the
plugin's `SignInGateBackend` refuses blocked accounts), and, like the authn MFE, shows the
reason only when the refusal was recorded for a right password."""

from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from openedx_events.learning.data import UserData, UserPersonalData
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED
from openedx_filters.learning.filters import StudentLoginRequested

from elearn_plugin.standing.signin import recorded_refusal


def _user_by_username(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        return None


def _login_completed(user) -> None:
    """As the LMS's `login_user` does after `login()` (P-4: the sign-in's place is noted)."""
    SESSION_LOGIN_COMPLETED.send_event(
        user=UserData(
            pii=UserPersonalData(
                username=user.username, email=user.email, name=user.get_full_name()
            ),
            id=user.id,
            is_active=user.is_active,
        )
    )


def _safe_next(request) -> str:
    target = request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def login_view(request):
    """Username/password login; a blocked account learns why only with its right password."""
    error = ""
    block_message = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        password = request.POST.get("password", "")
        user = _user_by_username(username)
        try:
            # As in the LMS: before the password check, with None when nobody matches.
            user = StudentLoginRequested.run_filter(user=user)
        except StudentLoginRequested.PreventLogin as exc:
            error = str(exc) or _("Your username or password is incorrect.")
        else:
            authenticated = authenticate(
                request, username=user.get_username() if user else "", password=password
            )
            refusal = recorded_refusal(request)
            if authenticated is not None:
                login(request, authenticated)
                _login_completed(authenticated)
                return redirect(_safe_next(request))
            if refusal is not None:
                # Only the account's owner gets here: show why (P-8), open no session.
                block_message = refusal.message
            else:
                error = _("Your username or password is incorrect.")
    status = 400 if error else (403 if block_message else 200)
    return render(
        request,
        "devsite/login.html",
        {"error": error, "block_message": block_message},
        status=status,
    )


@login_required
def home(request):
    from elearn_plugin.org.models import TrainingContact  # noqa: PLC0415

    is_contact = TrainingContact.objects.filter(user_id=request.user.pk).exists()
    return render(request, "devsite/home.html", {"is_contact": is_contact})
