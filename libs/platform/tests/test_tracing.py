"""Traces are off unless an OTLP endpoint is set: nothing is instrumented and the bus's
messages carry no trace headers. (Tracing on is tested across real processes, which each
install their own provider, in tests/test_tracing_across_services.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from opentelemetry import trace

from townhall_platform import tracing
from townhall_platform.app import create_app
from townhall_platform.settings import ServiceSettings


def test_off_by_default_nothing_is_instrumented(tmp_path: Path) -> None:
    settings = ServiceSettings(signing_key_file=tmp_path / "key.pem")
    assert settings.otlp_endpoint is None

    app = create_app(name="demo", settings=settings, routers=[], readiness={})

    middleware = [m.cls.__name__ for m in app.user_middleware]  # type: ignore[attr-defined]
    assert not [name for name in middleware if "OpenTelemetry" in name]
    assert tracing._provider == []
    assert not trace.get_current_span().get_span_context().is_valid
    assert tracing.current_headers() == {}
    with tracing.producing("townhall.events.demo") as headers:
        assert headers == {}


def test_the_sample_ratio_is_a_share() -> None:
    assert ServiceSettings(trace_sample_ratio=0.25).trace_sample_ratio == 0.25
    with pytest.raises(ValueError):
        ServiceSettings(trace_sample_ratio=1.5)
