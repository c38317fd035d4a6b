"""Models of the video domain."""
