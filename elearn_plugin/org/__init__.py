"""Organisation: units, memberships, training contacts, job roles, people (P-1, P-2)."""
