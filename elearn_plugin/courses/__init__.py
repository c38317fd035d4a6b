"""Courses: per-course policy (credits, required/elective), assignments and verified completions."""
