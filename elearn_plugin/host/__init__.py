"""The only code that knows Open edX: events, filters, retirement signals, REST clients."""
