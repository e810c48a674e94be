"""Decision ids: random version-4 UUIDs without a system call per decision.

`uuid.uuid4()` makes a system call (`os.urandom`) on every call, a large share of a
decision's cost. A decision id only has to be unique, not secret, so it is drawn from a
per-process generator seeded from the kernel's randomness (122 random bits per id).
"""

from __future__ import annotations

import random
import uuid

_random = random.Random()  # seeded from os.urandom when created


def new_decision_id() -> str:
    """A random UUID (version 4) as a string."""
    return str(uuid.UUID(int=_random.getrandbits(128), version=4))
