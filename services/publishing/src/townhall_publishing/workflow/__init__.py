"""The official workflow: draft, submitted, approved or rejected, published or scheduled,
retracted; and the scheduler that publishes on time."""
