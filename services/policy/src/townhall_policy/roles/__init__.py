"""Role definitions: which role may do which action in which class of domain.

The definitions are data, inserted by the migrations, not code.
"""
