"""Open edX plugin that enforces an organisation's training policy."""

__version__ = "0.1.0"
