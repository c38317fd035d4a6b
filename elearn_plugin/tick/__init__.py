"""Tick: the periodic jobs, run by cron through a command or by Celery beat, under a DB lock."""
