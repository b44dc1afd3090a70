"""staffplan.scenario."""
