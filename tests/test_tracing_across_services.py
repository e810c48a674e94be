"""OpenTelemetry traces across real service processes, received by an OTLP/HTTP collector
of the test's own (the protobuf the services' exporters send, decoded as a collector would).

A request that arrives with a trace context keeps it through publishing, its calls to
policy and its SQL; the event it writes to the outbox keeps it too, and reaches search
through NATS in the same trace.
"""

from __future__ import annotations

import gzip
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan

from townhall_platform.testing import EVENTUALLY_SECONDS


@dataclass(frozen=True)
class Received:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_id: str
    links: tuple[str, ...]


class Collector:
    """An OTLP/HTTP trace receiver on loopback, keeping every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[Received] = []
        self._lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                collector.keep(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def keep(self, request: ExportTraceServiceRequest) -> None:
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                with self._lock:
                    self.spans.extend(_received(attributes["service.name"], s) for s in scope.spans)

    def wait_for(self, what: str, found: Callable[[list[Received]], bool]) -> list[Received]:
        deadline = time.monotonic() + EVENTUALLY_SECONDS
        while time.monotonic() < deadline:
            with self._lock:
                spans = list(self.spans)
            if found(spans):
                return spans
            time.sleep(0.1)
        raise AssertionError(f"no {what} within {EVENTUALLY_SECONDS}s: {spans}")


def _received(service: str, span: ProtoSpan) -> Received:
    return Received(
        service=service,
        name=span.name,
        kind=span.kind,
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        parent_id=span.parent_span_id.hex(),
        links=tuple(link.span_id.hex() for link in span.links),
    )


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    running = Collector()
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    yield running
    running.server.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def traced_system(
    collector: Collector,
    start_system: Any,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key_file: Path,
    token_issuer: Any,
) -> Iterator[Any]:
    env = {
        "{svc}OTLP_ENDPOINT": collector.url,
        # Export every 100 ms instead of 5 s, so the test waits less.
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    state = tmp_path_factory.mktemp("traced")
    with start_system("sqlite", state, signing_key_file, token_issuer, env=env) as system:
        yield system


SERVER, CLIENT, PRODUCER, CONSUMER = (
    ProtoSpan.SPAN_KIND_SERVER,
    ProtoSpan.SPAN_KIND_CLIENT,
    ProtoSpan.SPAN_KIND_PRODUCER,
    ProtoSpan.SPAN_KIND_CONSUMER,
)


def test_a_request_keeps_its_trace_through_publishing_policy_and_sql(
    traced_system: Any, collector: Collector
) -> None:
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    title = "Traced " + uuid.uuid4().hex[:8]
    created = traced_system.as_user("publishing", "alice").post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": title, "body": title},
        headers={"traceparent": f"00-{trace_id}-{caller_span}-01"},
    )
    assert created.status_code == 201, created.text

    def in_trace(spans: list[Received]) -> list[Received]:
        return [s for s in spans if s.trace_id == trace_id]

    def complete(all_: list[Received]) -> bool:
        # Each process exports on its own schedule: wait for every part of the trace.
        spans = in_trace(all_)
        return (
            any(s.service == "townhall-publishing" and s.kind == SERVER for s in spans)
            and any(s.service == "townhall-policy" for s in spans)
            and any(s.name.split()[0] == "INSERT" for s in spans)
        )

    spans = in_trace(
        collector.wait_for("publishing's, policy's and SQL spans in the caller's trace", complete)
    )
    (root,) = [s for s in spans if s.service == "townhall-publishing" and s.kind == SERVER]
    assert root.parent_id == caller_span and root.name.startswith("POST /v1/posts")
    by_id = {s.span_id: s for s in spans}
    policy_served = [s for s in spans if s.service == "townhall-policy" and s.kind == SERVER]
    for served in policy_served:
        # Each of policy's server spans hangs under one of publishing's httpx calls.
        call = by_id[served.parent_id]
        assert call.service == "townhall-publishing" and call.kind == CLIENT
    assert any(s.service == "townhall-publishing" and s.kind == CLIENT for s in spans)
    assert any(s.service == "townhall-publishing" and s.name.split()[0] == "INSERT" for s in spans)
    # Probes and scrapes are not traced.
    probes = [s for s in collector.spans if "/readyz" in s.name or "/healthz" in s.name]
    assert not probes


def test_an_event_reaches_search_in_the_trace_of_the_request_that_wrote_it(
    traced_system: Any, collector: Collector
) -> None:
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    title = "Relayed " + uuid.uuid4().hex[:8]
    created = traced_system.as_user("publishing", "alice").post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": title, "body": title},
        headers={"traceparent": f"00-{trace_id}-{caller_span}-01"},
    )
    assert created.status_code == 201, created.text
    traced_system.wait_for_search(
        "alice", lambda r: created.json()["id"] in [h["id"] for h in r["hits"]], q=title
    )

    def delivered(spans: list[Received]) -> bool:
        produced = {s.span_id for s in spans if s.kind == PRODUCER and s.trace_id == trace_id}
        return any(
            s.service == "townhall-search"
            and s.kind == CONSUMER
            and ({s.parent_id, *s.links} & produced)
            for s in spans
        )

    spans = collector.wait_for("search's consumer span after the request's event", delivered)
    in_trace = {s.span_id: s for s in spans if s.trace_id == trace_id}
    (request,) = [s for s in in_trace.values() if s.kind == SERVER and s.parent_id == caller_span]
    producers = [s for s in in_trace.values() if s.kind == PRODUCER]
    # The relay's publishing span, later and in another thread, continues the request.
    assert producers and all(p.service == "townhall-publishing" for p in producers)
    assert {p.parent_id for p in producers} == {request.span_id}
    assert all(p.name.startswith("publish ") for p in producers)
    consumers = [s for s in spans if s.service == "townhall-search" and s.kind == CONSUMER]
    assert any({c.parent_id, *c.links} & {p.span_id for p in producers} for c in consumers)
