"""`elearn_approval`: content learners see only once HR approved exactly this version."""
