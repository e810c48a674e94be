"""Objectives: quantifiable goals on precise metrics, and their progress."""
