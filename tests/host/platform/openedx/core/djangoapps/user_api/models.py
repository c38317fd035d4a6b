"""Stand-in of openedx-platform `openedx/core/djangoapps/user_api/models.py`: `UserPreference`.

Written from the platform's behaviour: one text value per (user, key), unique together; the
account settings page and the language menu write the `pref-lang` row.
"""

from django.conf import settings
from django.db import models


class UserPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_index=True,
        related_name="preferences",
        on_delete=models.CASCADE,
    )
    key = models.CharField(max_length=255, db_index=True)
    value = models.TextField()

    class Meta:
        app_label = "user_api"
        unique_together = ("user", "key")

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
