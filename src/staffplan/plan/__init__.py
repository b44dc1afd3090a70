"""staffplan.plan."""
