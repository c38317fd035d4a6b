"""The plugin's URLconf plus one endpoint that asks no permission (the inventory's own test)."""

from django.http import HttpResponse
from django.urls import include, path

from elearn_plugin import urls as plugin_urls


def unguarded(request):
    return HttpResponse("ok")


urlpatterns = [
    path(
        "elearn/",
        include(
            (
                [*plugin_urls.urlpatterns, path("open/", unguarded, name="unguarded")],
                "elearn_plugin",
            ),
            namespace="elearn",
        ),
    )
]
