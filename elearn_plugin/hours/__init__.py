"""P-24: each unit's monthly training hours, online learning capped by its classroom hours."""
