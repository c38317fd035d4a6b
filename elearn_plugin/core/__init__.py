"""Small helpers every domain uses the same way: chunking, time checks, user look-ups."""
