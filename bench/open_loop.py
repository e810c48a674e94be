"""An open-loop HTTP load generator, run in its own process so its CPU is its own.

`users` users each hold one keep-alive connection and send on their own schedule: the
whole load arrives at `rate` requests per second (request k is due at k / rate and
belongs to user k mod users). A user whose previous answer is late sends late, and the
latency of every request is measured from the time it was due, not from when it was
sent: queueing shows in the figures instead of slowing the load down (no coordinated
omission, as in wrk2).

aiohttp on uvloop keeps the generator's own cost per request low; it reports the CPU
seconds it used so that a run can say how much of the 2 cores it took.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

import aiohttp
import uvloop

# (method, path, JSON body or None) for request number n sent by `user`.
RequestMaker = Callable[[int, str], tuple[str, str, Any]]


@dataclass(frozen=True)
class LoadStep:
    """What one step of load measured."""

    rate: float
    sent: int
    samples: list[float]  # milliseconds from due time to answer, successful requests
    errors: int
    seconds: float
    generator_cpu_seconds: float

    @property
    def achieved(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0


def run_load(
    *,
    url: str,
    tokens: dict[str, str],
    users: list[str],
    make: RequestMaker,
    rate: float,
    seconds: float,
) -> LoadStep:
    """One step at `rate` for `seconds`, in a fresh process (`make` must be picklable)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        future = pool.submit(_run, url, tokens, users, make, rate, seconds)
        return future.result()


def _run(
    url: str,
    tokens: dict[str, str],
    users: list[str],
    make: RequestMaker,
    rate: float,
    seconds: float,
) -> LoadStep:
    cpu_started = time.process_time()
    samples, errors, sent, elapsed = uvloop.run(_load(url, tokens, users, make, rate, seconds))
    return LoadStep(
        rate=rate,
        sent=sent,
        samples=samples,
        errors=errors,
        seconds=elapsed,
        generator_cpu_seconds=time.process_time() - cpu_started,
    )


async def _load(
    url: str,
    tokens: dict[str, str],
    users: list[str],
    make: RequestMaker,
    rate: float,
    seconds: float,
) -> tuple[list[float], int, int, float]:
    total = max(1, round(rate * seconds))
    samples: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=len(users), limit_per_host=len(users))
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base_url=url, connector=connector, timeout=timeout) as http:
        loop = asyncio.get_running_loop()
        # The first requests open the connections; start the schedule a little ahead.
        start = loop.time() + 0.1

        async def user(number: int) -> None:
            nonlocal errors
            name = users[number]
            headers = {"Authorization": f"Bearer {tokens[name]}"}
            for n in range(number, total, len(users)):
                due = start + n / rate
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                method, path, body = make(n, name)
                try:
                    async with http.request(method, path, json=body, headers=headers) as answer:
                        await answer.read()
                        failed = answer.status >= 400
                except (aiohttp.ClientError, TimeoutError):
                    failed = True
                if failed:
                    errors += 1
                else:
                    samples.append((loop.time() - due) * 1000)

        await asyncio.gather(*(user(i) for i in range(len(users))))
        elapsed = loop.time() - start
    return samples, errors, total, elapsed
