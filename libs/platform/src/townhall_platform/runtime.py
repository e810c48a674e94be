"""A serving process: how uvicorn starts it, and its process-wide settings."""

from __future__ import annotations

import gc
import sys

import uvicorn

from .exposition import prepare_multiprocess_dir
from .settings import ServiceSettings

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


def serve(factory: str, settings: ServiceSettings, *, workers: int | None = None) -> None:
    """Serve the app `factory` builds ("package.app:create_app") with uvicorn, on the
    settings' host and port, in `workers` processes (None: uvicorn's default, one)."""
    prepare_multiprocess_dir()
    uvicorn.run(
        factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        # uvicorn's access log follows LOG_LEVEL: one line per request costs CPU under load.
        log_level=settings.log_level.lower(),
        # uvicorn kills a worker that does not answer its ping within this time, also while
        # it is still importing: its default is too short for a busy machine.
        timeout_worker_healthcheck=30,
    )
