"""The decision path: an immutable snapshot of the policy and the indexes decisions use.

It imports no other package of the service; `engine` builds snapshots from the tables.
casbin is not used here: `enforcement.reference` holds the casbin model the
differential tests and the benchmark compare the snapshot with.
"""
