"""An open-loop HTTP load generator, run in its own process so its CPU is its own.

`users` users each hold one keep-alive connection and send on their own schedule: the
whole load arrives at `rate` requests per second (request k is due at k / rate and
belongs to user k mod users). A user whose previous answer is late sends late, and the
latency of every request is measured from the time it was due, not from when it was
sent: queueing shows in the figures instead of slowing the load down (no coordinated
omission, as in wrk2).

Each step first runs `lead_in` seconds at its rate whose answers stay out of the
percentiles (as wrk2's calibration and `bench/load.py`): the users open their connections
then, and the services meet the new rate; the slowest answer of the lead-in is reported
beside them.

aiohttp on uvloop keeps the generator's own cost per request low; it reports the CPU
seconds it used so that a run can say how much of the 2 cores it took.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
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
    sent: int  # lead-in included, as the CPU figures are
    samples: list[float]  # milliseconds from due time to answer, successful requests
    errors: int
    seconds: float  # from the end of the lead-in to the last answer
    generator_cpu_seconds: float
    lead_in_max: float  # the slowest answer of the lead-in, milliseconds
    # When each failed request was due (Unix time) and its status (0: no answer), so that
    # a run can say which failures fell around an event such as a killed instance.
    failures: list[tuple[float, int]] = field(default_factory=list)

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
    lead_in: float = 1.0,
) -> LoadStep:
    """One step at `rate` for `lead_in` then `seconds` measured, in a fresh process (`make`
    must be picklable)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        future = pool.submit(_run, url, tokens, users, make, rate, seconds, lead_in)
        return future.result()


def _run(
    url: str,
    tokens: dict[str, str],
    users: list[str],
    make: RequestMaker,
    rate: float,
    seconds: float,
    lead_in: float,
) -> LoadStep:
    cpu_started = time.process_time()
    samples, lead_in_max, failures, sent, elapsed = uvloop.run(
        _load(url, tokens, users, make, rate, seconds, lead_in)
    )
    return LoadStep(
        rate=rate,
        sent=sent,
        samples=samples,
        errors=len(failures),
        seconds=elapsed,
        generator_cpu_seconds=time.process_time() - cpu_started,
        lead_in_max=lead_in_max,
        failures=failures,
    )


async def _load(
    url: str,
    tokens: dict[str, str],
    users: list[str],
    make: RequestMaker,
    rate: float,
    seconds: float,
    lead_in: float,
) -> tuple[list[float], float, list[tuple[float, int]], int, float]:
    total = max(1, round(rate * (lead_in + seconds)))
    measured_from = round(rate * lead_in)  # the first request measured
    samples: list[float] = []
    lead_in_max = 0.0
    failures: list[tuple[float, int]] = []
    connector = aiohttp.TCPConnector(limit=len(users), limit_per_host=len(users))
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base_url=url, connector=connector, timeout=timeout) as http:
        loop = asyncio.get_running_loop()
        # The first requests open the connections; start the schedule a little ahead.
        start = loop.time() + 0.1
        unix_start = time.time() + 0.1

        async def user(number: int) -> None:
            nonlocal lead_in_max
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
                        status = answer.status
                except (aiohttp.ClientError, TimeoutError):
                    status = 0
                taken = (loop.time() - due) * 1000
                if status == 0 or status >= 400:
                    # In the lead-in too: a refusal is never warming up.
                    failures.append((unix_start + n / rate, status))
                elif n < measured_from:
                    lead_in_max = max(lead_in_max, taken)
                else:
                    samples.append(taken)

        await asyncio.gather(*(user(i) for i in range(len(users))))
        # Until the last answer: a step whose answers came late achieved less than its rate.
        elapsed = loop.time() - (start + lead_in)
    return samples, lead_in_max, failures, total, elapsed
