"""OpenTelemetry traces: off unless an OTLP endpoint is set.

When on, each request a service serves, each call it makes with httpx, each SQL statement
and each bus message published or handled is a span exported over OTLP/HTTP; the trace
context travels between services in the W3C `traceparent` header, on HTTP requests and in
the bus messages' headers. When off nothing is instrumented, so it costs nothing.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import metrics, propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Link, Span, SpanKind
from sqlalchemy.engine import Engine

from .settings import ServiceSettings

# Probes and scrapes would be most of the spans and tell nothing.
EXCLUDED_URLS = "/healthz,/readyz,/metrics"
_TRACER = "townhall_platform"
_lock = threading.Lock()
_provider: list[TracerProvider] = []
# Engines made while tracing is off: traced if it is turned on later in the process.
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def configure_tracing(app: FastAPI, service: str, settings: ServiceSettings) -> None:
    """Trace this app's requests when `settings.otlp_endpoint` is set; else do nothing."""
    if not settings.otlp_endpoint:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    provider = process_provider(service, settings)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS)


def process_provider(service: str, settings: ServiceSettings) -> TracerProvider:
    """The process's tracer provider, made and installed by the first call.

    One per process: the httpx and SQLAlchemy instrumentations patch those libraries for
    the whole process, and OpenTelemetry's global provider can be set only once.
    """
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    with _lock:
        if _provider:
            return _provider[0]
        provider = TracerProvider(
            resource=Resource.create({SERVICE_NAME: f"townhall-{service}"}),
            sampler=ParentBased(TraceIdRatioBased(settings.trace_sample_ratio)),
        )
        endpoint = str(settings.otlp_endpoint).rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        trace.set_tracer_provider(provider)
        HTTPXClientInstrumentor().instrument(tracer_provider=provider)
        _provider.append(provider)
        for engine in list(_engines):
            _trace_statements(provider, engine)
        return provider


def trace_engine(engine: Engine) -> None:
    """Trace the engine's statements once tracing is on (now, or when it is turned on).

    Per engine: the instrumentation's patch of `create_engine` misses the engines made
    before it and those made through SQLModel, which holds its own reference to it.
    """
    with _lock:
        if _provider:
            _trace_statements(_provider[0], engine)
        else:
            _engines.add(engine)


def _trace_statements(provider: TracerProvider, engine: Engine) -> None:
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    usage = metrics.get_meter(_TRACER).create_up_down_counter(
        "db.client.connections.usage", unit="connections"
    )
    tracer = provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
    # The instrumentation ships without type hints.
    EngineTracer(tracer, engine, usage)  # type: ignore[no-untyped-call]


def _tracer() -> trace.Tracer:
    # The global provider: a no-op one unless `process_provider` installed ours.
    return trace.get_tracer(_TRACER)


def current_headers() -> dict[str, str]:
    """The current trace context as message headers (empty when no span is recording)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def current_context() -> Context:
    """The caller's context, for work done on another thread's event loop."""
    return otel_context.get_current()


def context_of(traceparent: str | None) -> Context | None:
    """The context a stored `traceparent` stands for; None when absent or invalid."""
    if not traceparent:
        return None
    context = propagate.extract({"traceparent": traceparent})
    return context if trace.get_current_span(context).get_span_context().is_valid else None


@contextmanager
def producing(subject: str, parent: Context | None = None) -> Iterator[dict[str, str]]:
    """A span for publishing one message, child of `parent` (else of the current span);
    yields the headers that carry it to the consumer."""
    with _tracer().start_as_current_span(
        f"publish {subject}", context=parent, kind=SpanKind.PRODUCER, attributes=_bus(subject, 1)
    ):
        yield current_headers()


@contextmanager
def consuming(subject: str, headers: Mapping[str, str]) -> Iterator[Span]:
    """A span for handling one message, child of the span that published it."""
    parent = propagate.extract(dict(headers))
    with _tracer().start_as_current_span(
        f"process {subject}", context=parent, kind=SpanKind.CONSUMER, attributes=_bus(subject, 1)
    ) as span:
        yield span


@contextmanager
def consuming_batch(subject: str, headers: Sequence[Mapping[str, str]]) -> Iterator[Span]:
    """A span for handling a batch, linked to each message's publishing span."""
    links = []
    for carrier in headers:
        context = trace.get_current_span(propagate.extract(dict(carrier))).get_span_context()
        if context.is_valid:
            links.append(Link(context))
    with _tracer().start_as_current_span(
        f"process {subject}",
        kind=SpanKind.CONSUMER,
        links=links,
        attributes=_bus(subject, len(headers)),
    ) as span:
        yield span


def _bus(subject: str, count: int) -> dict[str, str | int]:
    return {
        "messaging.system": "nats",
        "messaging.destination.name": subject,
        "messaging.batch.message_count": count,
    }
