"""staffplan.requirements."""
