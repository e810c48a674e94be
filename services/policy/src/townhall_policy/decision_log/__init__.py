"""The decision log (official actions and refusals) and when each grant was last used."""
