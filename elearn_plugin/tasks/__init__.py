"""Celery tasks (autodiscovered by the platform). Thin: each calls a service function."""
