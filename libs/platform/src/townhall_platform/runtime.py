"""Process-wide settings of a serving process."""

from __future__ import annotations

import gc
import sys

# How long a thread may keep the GIL while another waits for it (shorter than CPython's
# default). A service's event loop answers requests while threads of its own run Python
# (policy's decision-log writer, publishing's endpoints and outbox relay); whenever the
# loop needed the GIL back it could wait a whole interval, several times per request.
SWITCH_INTERVAL_SECONDS = 0.0005

# The cyclic collector's thresholds while serving. At the default (700 allocations) a
# busy instance collects every few requests and promotes in-flight request objects into
# older generations, whose collections pause the event loop. Request objects are freed
# by reference counting anyway; collecting less often costs a little memory instead.
SERVING_GC_THRESHOLDS = (20_000, 50, 100)


def tune_for_serving() -> None:
    """Short GIL turns, a less eager collector, and what was built at start-up (modules,
    the app, caches) moved out of the collector's reach: it lives as long as the process."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    gc.set_threshold(*SERVING_GC_THRESHOLDS)
    gc.freeze()
