"""Account sharing: evidence of shared use turned into the policy's consequence (P-4)."""
