"""Principals: the tokens a subject reads with under the readers rule."""
