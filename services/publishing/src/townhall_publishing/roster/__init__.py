"""The people publishing has met, to count an official post's audience."""
