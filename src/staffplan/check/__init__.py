"""`staffplan check`: recompute coverage, gaps and rule violations of any plan, edited or not."""
