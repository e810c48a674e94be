"""The scheduler: publishes approved posts when their time comes."""
