"""The outbox: change events written with each change, relayed to search in order."""
