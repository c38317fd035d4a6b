"""Stand-in of openedx-platform `common/djangoapps/student` (app label `student`)."""
