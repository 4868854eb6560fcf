"""Development tooling (dev-set scoring for the benchmarks), not part of the product."""
