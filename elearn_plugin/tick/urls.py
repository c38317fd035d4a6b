"""URL patterns of the tick domain (mounted under the plugin's namespace)."""

urlpatterns: list = []
