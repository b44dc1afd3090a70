"""staffplan.roster."""
