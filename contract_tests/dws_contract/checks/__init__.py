"""What the contract requires, check by check: the catalog of expectations and the per-response checks."""
