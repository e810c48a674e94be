"""The SSRF guard: a webhook URL may not reach loopback or private networks.

Every address the host name resolves to is checked, when the subscription is made and
again before each attempt (a name can be repointed). Settings may allow loopback (the
embedded default does, for a local receiver) or private networks.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeUrl(ValueError):
    """The URL is malformed or reaches an address the settings do not allow."""


def check_url(url: str, *, allow_loopback: bool, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("The URL must be http:// or https:// with a host.")
    if parts.username or parts.password:
        raise UnsafeUrl("The URL may not carry credentials: use the signing secret.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise UnsafeUrl(f"The host {parts.hostname!r} does not resolve: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_loopback:
            if not allow_loopback:
                raise UnsafeUrl(f"{parts.hostname} is a loopback address ({address}).")
        elif not address.is_global and not (allow_private and address.is_private):
            raise UnsafeUrl(f"{parts.hostname} is not a public address ({address}).")
