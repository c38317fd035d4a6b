"""Course requests, feedback and complaints routed to HR and answered, and training-needs
surveys (P-29)."""
