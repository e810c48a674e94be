"""Process-wide settings of a serving process."""

from __future__ import annotations

import sys

# How long a thread may keep the GIL while another waits for it (CPython's default is
# 5 ms). A service's event loop answers requests while threads of its own run Python
# (policy's decision-log writer, publishing's endpoints and outbox relay); whenever the
# loop needed the GIL back it could wait a whole interval, several times per request.
SWITCH_INTERVAL_SECONDS = 0.0005


def take_short_gil_turns() -> None:
    """Let the event loop get the GIL back within half a millisecond."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
