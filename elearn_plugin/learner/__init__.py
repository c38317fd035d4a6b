"""What a learner reads about their own training (P-16, P-20, P-21, P-25, P-26): the month
summary and the archive."""
