"""Benchmarks behind `staffplan bench`: plan sizes with a naive baseline, the tour_probe yardstick, Curtois."""
