"""URL patterns of the ledger domain (mounted under the plugin's namespace)."""

urlpatterns: list = []
