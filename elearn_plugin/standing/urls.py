"""URL patterns of the standing domain (mounted under the plugin's namespace)."""

urlpatterns: list = []
