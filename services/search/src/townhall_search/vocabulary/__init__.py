"""The vocabulary search expands queries with, and best bets: kept by communications staff."""
