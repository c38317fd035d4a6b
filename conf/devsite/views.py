"""Pages of the standalone site. The login view mirrors the LMS's `login_user` order."""

from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _


def login_view(request):
    """Username/password login (Django auth); the user of every page is `request.user`."""
    error = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        password = request.POST.get("password", "")
        user = authenticate(request, username=username, password=password)
        if user is None:
            error = _("Your username or password is incorrect.")
        else:
            login(request, user)
            return redirect(request.GET.get("next") or "/")
    return render(request, "devsite/login.html", {"error": error}, status=400 if error else 200)


@login_required
def home(request):
    return render(request, "devsite/home.html", {})
