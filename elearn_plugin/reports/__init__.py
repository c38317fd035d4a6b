"""Reports of the training records (`manage.py elearn_report`) and how they are written."""
