"""A TCP load balancer for the benchmarks, in its own process: what a Kubernetes
Service does in front of a Deployment's ready pods.

Each route listens on a port of its own and hands every new connection to the next
ready upstream in turn. An upstream is ready while its `/readyz` answers 200 (checked
every `check_seconds`, as a readiness probe); one that refuses a connection is taken out
at once and the connection goes to the next one, so a killed instance costs only the
requests that were in flight on it. Bytes are copied both ways until either side closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from typing import Self

import uvloop

from townhall_platform.testing import free_port

_CHUNK = 64 * 1024


@dataclass
class _Route:
    upstreams: list[int]
    ready: set[int] = field(default_factory=set)
    turn: itertools.count[int] = field(default_factory=itertools.count)

    def candidates(self) -> list[int]:
        """Ready upstreams, starting from the next in turn."""
        ready = [port for port in self.upstreams if port in self.ready]
        if not ready:
            return []
        start = next(self.turn) % len(ready)
        return ready[start:] + ready[:start]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(_CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _handle(
    route: _Route, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
) -> None:
    for port in route.candidates():
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            route.ready.discard(port)  # refused: out until its readiness probe passes again
            continue
        await asyncio.gather(
            _pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer)
        )
        return
    client_writer.close()  # no ready upstream: the client sees the connection closed


async def _probe(port: int) -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 1.0)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(b"GET /readyz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
        status_line = await asyncio.wait_for(reader.readline(), 2.0)
        return status_line.split(b" ", 2)[1:2] == [b"200"]
    except (OSError, TimeoutError, IndexError):
        return False
    finally:
        writer.close()


async def _watch(route: _Route, check_seconds: float) -> None:
    while True:
        results = await asyncio.gather(*(_probe(port) for port in route.upstreams))
        route.ready = {port for port, ok in zip(route.upstreams, results, strict=True) if ok}
        await asyncio.sleep(check_seconds)


async def _serve(routes: dict[int, list[int]], check_seconds: float) -> None:
    servers = []
    watchers = []
    for front, upstreams in routes.items():
        route = _Route(upstreams)

        servers.append(
            await asyncio.start_server(
                functools.partial(_handle, route), "127.0.0.1", front, backlog=1024
            )
        )
        watchers.append(asyncio.create_task(_watch(route, check_seconds)))
    await asyncio.gather(*(server.serve_forever() for server in servers))


def _main(routes: dict[int, list[int]], check_seconds: float) -> None:
    uvloop.run(_serve(routes, check_seconds))


class Balancer:
    """Round-robin TCP balancers, one front port per named route, in a child process."""

    def __init__(self, routes: dict[str, list[int]], *, check_seconds: float = 0.25) -> None:
        self.fronts = {name: free_port() for name in routes}
        self._routes = {self.fronts[name]: ports for name, ports in routes.items()}
        self._check_seconds = check_seconds
        self._process: BaseProcess | None = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.fronts[name]}"

    def __enter__(self) -> Self:
        context = get_context("spawn")
        self._process = context.Process(
            target=_main, args=(self._routes, self._check_seconds), daemon=True
        )
        self._process.start()
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None and self._process.pid is not None
        return self._process.pid

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join(10)
