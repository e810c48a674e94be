"""The ASGI middleware every service runs: a body size limit, and each request's context."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import PayloadTooLarge, problem_response
from .logs import REQUEST_ID_HEADER, accept_request_id, dropped_log_lines, request_id_var


class BodySizeLimit:
    """Refuse bodies over a limit with 413 before the endpoint reads them; `larger` gives
    the paths (patterns) that take more (uploads) their own limit."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        larger: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = tuple(larger)

    def _limit(self, path: str) -> int:
        for pattern, limit in self.larger:
            if pattern.match(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope.get("path", "")) if self.larger else self.max_bytes
        declared = dict(scope.get("headers", [])).get(b"content-length")
        too_large = PayloadTooLarge(f"Request body exceeds {max_bytes} bytes.")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await problem_response(too_large)(scope, receive, send)
            return
        received = 0
        rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                received += len(message.get("body", b""))
                if received > max_bytes:
                    # Answer now; the app sees a disconnect and whatever it answers is dropped.
                    rejected = True
                    await problem_response(too_large)(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


class RequestContext:
    """Request id, structured-log context and metrics for every request, as plain ASGI.

    (Starlette's `@app.middleware("http")` costs a task and a stream per request, which
    shows on the decision hot path.)
    """

    def __init__(self, app: ASGIApp, *, service: str, registry: CollectorRegistry) -> None:
        self.app = app
        self.service = service
        self.requests_total, self.latency = _metrics(registry, service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        raw_id = headers.get(REQUEST_ID_HEADER.lower().encode())
        request_id = accept_request_id(raw_id.decode("latin-1") if raw_id else None)
        token = request_id_var.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.lower().encode(), request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            method = scope.get("method", "")
            self.latency.labels(self.service, method, path).observe(time.perf_counter() - started)
            self.requests_total.labels(self.service, method, path, str(status)).inc()
            structlog.contextvars.unbind_contextvars("request_id")
            request_id_var.reset(token)


def _metrics(registry: CollectorRegistry, service: str) -> tuple[Counter, Histogram]:
    dropped = Gauge(
        "townhall_log_lines_dropped",
        "Log lines that could not be written (a full disk), since the process started",
        registry=registry,
    )
    dropped.set_function(lambda: float(dropped_log_lines()))
    requests = Counter(
        "townhall_http_requests_total",
        "HTTP requests served",
        ["service", "method", "route", "status"],
        registry=registry,
    )
    latency = Histogram(
        "townhall_http_request_duration_seconds",
        "HTTP request latency",
        ["service", "method", "route"],
        registry=registry,
        buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    )
    return requests, latency
