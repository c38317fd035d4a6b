"""Stand-in of openedx-platform `lms/djangoapps/grades/signals/signals.py`.

edx-completion's plugin receivers connect to this signal in the LMS (scored blocks complete).
"""

from django.dispatch import Signal

PROBLEM_WEIGHTED_SCORE_CHANGED = Signal()
