"""The family view (P-35, school deployments): a signed, expiring, revocable link to one
learner's progress and standing, every view audited. Off unless `ELEARN_FAMILY_VIEW_ENABLED`."""
