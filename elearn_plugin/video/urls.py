"""URL patterns of the video domain (mounted under the plugin's namespace)."""

urlpatterns: list = []
