"""URL patterns of the org domain (mounted under the plugin's namespace)."""

urlpatterns: list = []
