"""Tests of `manage.py elearn_report` and its output writers."""
