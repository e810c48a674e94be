"""The audit trail (append-only, hash-chained) and the compliance officers' queries."""
