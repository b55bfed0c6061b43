"""A memory across runs: finding fingerprints and the baseline of accepted findings (docs/baseline.md)."""
