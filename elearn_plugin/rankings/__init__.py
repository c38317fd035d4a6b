"""P-25: the credit rankings of each month, quarter, half-year and year, frozen at the close."""
