"""Privacy (P-32): the notice a learner acknowledges once per version, the retention of
address and timing evidence, and the export of everything held about one learner."""
