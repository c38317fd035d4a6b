"""Learner contributions (P-12): uploads checked by their content, reviewed like internal
courses, points once approved."""
