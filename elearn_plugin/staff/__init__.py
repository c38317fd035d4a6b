"""What training contacts and HR see (P-1, P-21..P-25, P-28, P-31): the unit page, the
compliance dashboard, the monthly unit report and the exports of their tables."""
