"""The audit trail: append-only, hash-chained, keyed; its checkpoints and its verification.

Every package may append to it; it imports none of them (the compliance queries that
read the trail with everything else live in `compliance`).
"""
