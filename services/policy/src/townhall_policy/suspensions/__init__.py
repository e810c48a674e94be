"""Suspensions: deny rules that override every allow while in force."""
