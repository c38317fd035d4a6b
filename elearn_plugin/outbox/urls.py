"""URL patterns of the outbox domain (mounted under the plugin's namespace)."""

urlpatterns: list = []
