"""Indicators that steer the network: activity, reach, acknowledgement, replies."""
