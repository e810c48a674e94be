"""Full rebuilds of the index from publishing, without downtime."""
