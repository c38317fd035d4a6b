"""Review before learners see content (P-10, P-11, P-13): review items bound to a fingerprint
of what was reviewed, HR's decisions with the checklist, and illegal content (P-5)."""
