"""Background workers that outlive their own errors, come back when they die, and say so.

A service's background jobs (an outbox relay, a scheduler, a writer of queued rows) are
each a `Worker` (`runner`): a function called over and over from a daemon thread. A tick
that raises is logged, counted and retried after an exponential backoff; the thread
itself never ends on an error of the tick, nor on a failure to write that log line (a
full disk). Should the thread die anyway (an exception that is not an `Exception`), the
`WorkerGroup`'s supervisor (`group`) starts a new one. Every worker reports its liveness
(the last successful tick, failures in a row, restarts) and its lag (`liveness`); the
group turns those into Prometheus metrics (`metrics`) and into one readiness check, so a
worker that is dead, keeps failing, or falls behind takes its instance out of service
instead of going unnoticed.
"""

from __future__ import annotations

from ..health import NotReady
from .group import WorkerGroup
from .liveness import WorkerReport
from .runner import RetryLater, Tick, Worker

__all__ = ["NotReady", "RetryLater", "Tick", "Worker", "WorkerGroup", "WorkerReport"]
