"""staffplan.reports."""
