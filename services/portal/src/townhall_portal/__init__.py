"""Townhall portal: server-rendered pages over the policy, publishing and search APIs."""
