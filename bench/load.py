"""HTTP load generators for the benchmarks: `wrk` (closed loop) and an open-loop client.

`wrk` (Debian's package, C, one thread) costs a fraction of the CPU a Python client
needs per request, which matters when the load generator shares 2 cores with the
service. A Lua script cycles through prepared POST bodies. wrk keeps each connection
busy (closed loop), so its latencies do not show queueing at a given offered rate; the
open-loop client (`python -m bench.load`, a separate process) sends at a fixed rate and
measures each request from the instant it was due, so falling behind shows as latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

import httptools
import httpx

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured: throughput and latency percentiles, in seconds."""

    requests: int
    errors: int
    per_second: float
    p50: float
    p99: float
    connections: int
    # Open loop only: the slowest answer during the lead-in, which the percentiles leave out.
    lead_in_max: float = 0.0
    p95: float = 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_script(path: Path, *, url_path: str, bodies: list[str], token: str) -> Path:
    """A wrk Lua script that POSTs `bodies` in turn to `url_path` with a bearer token."""
    quoted = ",\n".join(f"[==[{body}]==]" for body in bodies)
    path.write_text(
        f"local bodies = {{\n{quoted}\n}}\n"
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #bodies + 1\n"
        f'  return wrk.format(nil, "{url_path}", nil, bodies[i])\n'
        "end\n"
        # `--latency` prints no 95th percentile: the script writes it, in microseconds.
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("p95 %d\\n", latency:percentile(95)))\n'
        "end\n"
    )
    return path


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str, connections: int) -> LoadResult:
    """Read throughput, p50, p99 and errors from `wrk --latency` output."""
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", output, re.MULTILINE))
    total = re.search(r"^\s*(\d+) requests in", output, re.MULTILINE)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if total is None or rate is None or "50" not in percentiles or "99" not in percentiles:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    p95 = re.search(r"^p95 (\d+)$", output, re.MULTILINE)
    return LoadResult(
        requests=int(total.group(1)),
        errors=errors,
        per_second=float(rate.group(1)),
        p50=_seconds(percentiles["50"]),
        p99=_seconds(percentiles["99"]),
        connections=connections,
        p95=int(p95.group(1)) * 1e-6 if p95 else 0.0,
    )


def run_wrk(base_url: str, script: Path, *, connections: int, seconds: float) -> LoadResult:
    """Run wrk with one thread and `connections` keep-alive connections."""
    completed = subprocess.run(
        [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--latency",
            "--script",
            str(script),
            base_url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_wrk(completed.stdout, connections)


# --- open loop -------------------------------------------------------------------------


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time, parsed by httptools.

    httpx costs about a millisecond of CPU per request, too much to offer thousands per
    second from a Python process sharing the service's cores.
    """

    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.WriteTransport | None = None
        self._answer: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio's, though they have the same methods.
        self._transport = cast(asyncio.WriteTransport, transport)

    def data_received(self, data: bytes) -> None:
        self._parser.feed_data(data)

    def on_message_complete(self) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(self._parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(exc or ConnectionError("connection closed"))

    async def send(self, request: bytes) -> int:
        """Send one complete request; return the response's status code."""
        assert self._transport is not None
        self._answer = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        return await self._answer


async def _open_loop(
    base_url: str,
    url_path: str,
    bodies: list[bytes],
    token: str,
    *,
    rate: float,
    seconds: float,
    connections: int,
    lead_in: float,
) -> LoadResult:
    """Requests fall due at `rate`; each connection sends the next one due when it is free.

    A request's latency runs from the instant it fell due, so a server (or client) that
    falls behind shows as latency, not as a lower rate (no coordinated omission). The
    first `lead_in` seconds run at the same rate but stay out of the percentiles (as
    wrk2's calibration period): they absorb the switch from the previous load (answers
    of up to 150 ms in the first half second after wrk's closed loop, under 25 ms after).
    """
    url = httpx.URL(base_url)
    host, port = url.host, url.port or 80
    head = (
        f"POST {url_path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
    ).encode()
    requests = [head + b"Content-Length: %d\r\n\r\n" % len(body) + body for body in bodies]
    total = int(rate * (lead_in + seconds))
    due: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    latencies: list[float] = []
    lead_in_latencies: list[float] = [0.0]
    errors = 0
    loop = asyncio.get_running_loop()

    async def connection() -> None:
        nonlocal errors
        _, protocol = await loop.create_connection(_Connection, host, port)
        while (item := await due.get()) is not None:
            instant, request = item
            try:
                errors += await protocol.send(request) >= 300
            except ConnectionError:
                errors += 1
                _, protocol = await loop.create_connection(_Connection, host, port)
            taken = time.perf_counter() - instant
            (latencies if instant >= measured_from else lead_in_latencies).append(taken)

    senders = [asyncio.create_task(connection()) for _ in range(connections)]
    began = time.perf_counter()
    measured_from = began + lead_in
    for i in range(total):
        instant = began + i / rate
        delay = instant - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        due.put_nowait((instant, requests[i % len(requests)]))
    for _ in senders:
        due.put_nowait(None)
    await asyncio.gather(*senders)
    elapsed = time.perf_counter() - measured_from
    ordered = sorted(latencies)
    return LoadResult(
        requests=len(latencies),
        errors=errors,
        per_second=len(latencies) / elapsed,
        p50=ordered[len(ordered) // 2],
        p99=ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        connections=connections,
        lead_in_max=max(lead_in_latencies),
        p95=ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
    )


def run_open_loop(
    base_url: str,
    *,
    url_path: str,
    bodies_file: Path,
    token: str,
    rate: float,
    seconds: float,
    connections: int,
    lead_in: float = 1.0,
) -> LoadResult:
    """Run the open-loop client in its own process (its CPU stays out of the bench's)."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            base_url,
            url_path,
            str(bodies_file),
            "--token",
            token,
            "--rate",
            str(rate),
            "--seconds",
            str(seconds),
            "--connections",
            str(connections),
            "--lead-in",
            str(lead_in),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return LoadResult(**json.loads(completed.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description="Open-loop HTTP POSTs at a fixed rate.")
    parser.add_argument("base_url")
    parser.add_argument("url_path")
    parser.add_argument("bodies_file", type=Path, help="one JSON body per line")
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--lead-in", type=float, default=1.0, help="seconds at the rate before measuring"
    )
    args = parser.parse_args()
    bodies = [line.encode() for line in args.bodies_file.read_text().splitlines() if line]
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    result = runner(
        _open_loop(
            args.base_url,
            args.url_path,
            bodies,
            args.token,
            rate=args.rate,
            seconds=args.seconds,
            connections=args.connections,
            lead_in=args.lead_in,
        )
    )
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
