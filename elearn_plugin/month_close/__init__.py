"""The month close: judge every learner's ended month and apply what follows (ADR 0012)."""
