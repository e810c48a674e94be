"""The image's health check: the service's /healthz answers 200 (exit 0), else exit 1.

Standard library only, so it costs no import of the service. The port is the service's
`TOWNHALL_<SERVICE>_PORT` when set, else its default.
"""

import os
import sys
import urllib.request

DEFAULT_PORTS = {
    "portal": 8100,
    "policy": 8101,
    "publishing": 8102,
    "search": 8103,
    "notifications": 8104,
}


def main() -> int:
    service = os.environ["SERVICE"]
    port = os.environ.get(f"TOWNHALL_{service.upper()}_PORT", str(DEFAULT_PORTS[service]))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return 0 if answer.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
