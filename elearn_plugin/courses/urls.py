"""URL patterns of the courses domain (mounted under the plugin's namespace)."""

urlpatterns: list = []
