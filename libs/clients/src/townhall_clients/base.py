"""Shared plumbing for the typed clients: timeouts, request ids, retries, errors.

A client may be given a total `deadline` (every attempt and every wait between retries
included) and a `CircuitBreaker`: a call then fails with `ServiceUnavailable` within the
deadline, and at once while the breaker is open.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)
from tenacity.stop import stop_base

from townhall_platform.logs import REQUEST_ID_HEADER, current_request_id

from .breaker import CircuitBreaker
from .errors import ServiceUnavailable, UnexpectedResponse

TokenSource = Callable[[], str]


def without_empty(params: dict[str, Any]) -> dict[str, Any]:
    """Query parameters minus those left unset (None or empty)."""
    return {key: value for key, value in params.items() if value not in (None, "")}


class _Retryable(Exception):
    def __init__(self, cause: Exception | None, response: httpx.Response | None = None) -> None:
        super().__init__(str(cause) if cause else "server error")
        self.cause = cause
        self.response = response


class ServiceClient:
    """A sync httpx client bound to one service, safe to share between threads."""

    service_name = "service"

    def __init__(
        self,
        base_url: str,
        *,
        token: TokenSource,
        timeout: float = 5.0,
        retries: int = 3,
        deadline: float | None = None,
        breaker: CircuitBreaker | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._token = token
        self.timeout = timeout
        self._retries = retries
        self._deadline = deadline
        self.breaker = breaker
        self._http = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            transport=transport,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
        )

    def close(self) -> None:
        self._http.close()

    @property
    def deadline(self) -> float | None:
        """The total time a call may take, retries included (None: per-attempt timeouts)."""
        return self._deadline

    def refuse_if_open(self) -> None:
        """Raise `ServiceUnavailable` now when the breaker would refuse a call."""
        if self.breaker is not None:
            self.breaker.refuse_if_open()

    def alive(self) -> bool:
        """True when the service answers its liveness probe (one quick try, for readiness)."""
        try:
            response = self._http.get("/healthz", headers=self._headers(None), timeout=1.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token or self._token()}"}
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        token: str | None = None,
        expected: tuple[int, ...] = (200,),
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request; retry transport errors and 5xx only when it is safe to."""
        started = time.monotonic()
        attempts = self._retries if idempotent else 1
        stop: stop_base = stop_after_attempt(attempts)
        if self._deadline is not None:
            stop = stop | stop_after_delay(self._deadline)
        try:
            response = Retrying(
                stop=stop,
                wait=wait_exponential(
                    multiplier=0.05, max=1.0 if self._deadline is None else self._deadline / 4
                ),
                retry=retry_if_exception_type(_Retryable),
                reraise=True,
            )(self._attempt, method, path, token, started, kwargs)
        except _Retryable as exc:
            detail = (
                f"{self.service_name} answered {exc.response.status_code}"
                if exc.response is not None
                else f"{self.service_name} is unreachable: {exc.cause}"
            )
            raise ServiceUnavailable(detail, service=self.service_name) from exc
        if response.status_code not in expected:
            try:
                problem = response.json()
            except ValueError:
                problem = response.text
            raise UnexpectedResponse(self.service_name, response.status_code, problem)
        return response

    def _attempt(
        self, method: str, path: str, token: str | None, started: float, kwargs: dict[str, Any]
    ) -> httpx.Response:
        """One try within the deadline left; `_Retryable` when another may succeed."""
        options = dict(kwargs)
        if self._deadline is not None:
            remaining = self._deadline - (time.monotonic() - started)
            if remaining <= 0:
                raise _Retryable(TimeoutError(f"deadline of {self._deadline} s passed"))
            options["timeout"] = remaining
        if self.breaker is not None:
            self.breaker.before_call()
        try:
            response = self._http.request(method, path, headers=self._headers(token), **options)
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            self._record(failed=True)
            raise _Retryable(exc) from exc
        except BaseException:
            # Not the dependency's fault (a bug, a cancellation): let another call probe.
            if self.breaker is not None:
                self.breaker.release()
            raise
        self._record(failed=response.status_code >= 500)
        if response.status_code >= 500:
            raise _Retryable(None, response)
        return response

    def _record(self, *, failed: bool) -> None:
        if self.breaker is None:
            return
        if failed:
            self.breaker.record_failure()
        else:
            self.breaker.record_success()
