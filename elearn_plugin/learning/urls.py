"""URL patterns of the learning domain (mounted under the plugin's namespace)."""

urlpatterns: list = []
