"""Learning time: one record per learning activity, classified by the calendar (P-18, P-26)."""
