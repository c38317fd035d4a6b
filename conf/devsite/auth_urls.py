"""Login and logout of the standalone site (shared with the test URLs)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from conf.devsite import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
]
