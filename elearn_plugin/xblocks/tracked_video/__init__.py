"""The tracked video XBlock (`elearn_video`)."""
