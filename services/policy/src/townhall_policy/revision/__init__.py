"""The policy revision: one counter bumped by every change to what decisions rest on."""
