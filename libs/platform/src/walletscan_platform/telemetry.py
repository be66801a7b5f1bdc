"""Traces and metrics shared by every service.

Traces: one tracer provider per process; the FastStream middleware opens a span per consumed
message and every publish carries the W3C trace context in its headers, so a scan is one
trace from the gateway's request through derivation, fetching and aggregation. Spans go to an
OTLP collector when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (standard OTEL_* variables), and to
a JSON-lines file per service when `WALLETSCAN_TRACE_DIR` is set (used by the tests).

Metrics: Prometheus counters and histograms defined here once, served per process on
`WALLETSCAN_METRICS_PORT`.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from prometheus_client import Counter, Histogram

SCANS_REQUESTED = Counter(
    "walletscan_scans_requested", "Scans accepted by the gateway", ["input_type", "network"]
)
SCANS_FINISHED = Counter("walletscan_scans_finished", "Scans that ended", ["outcome"])
ADDRESSES_FETCHED = Counter(
    "walletscan_addresses_fetched", "Addresses whose history a provider returned", ["provider"]
)
PROVIDER_REQUEST_DURATION = Histogram(
    "walletscan_provider_request_duration_seconds",
    "Duration of one HTTP request to a provider",
    ["provider"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PROVIDER_ERRORS = Counter(
    "walletscan_provider_errors", "Failed provider calls by kind", ["provider", "kind"]
)

_provider: TracerProvider | None = None


class JsonLinesSpanExporter(SpanExporter):
    """Appends each finished span as one JSON line (trace id, span id, parent, name)."""

    def __init__(self, path: Path, service: str) -> None:
        self.path = path
        self.service = service
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = []
        for span in spans:
            ctx = span.get_span_context()
            if ctx is None:
                continue
            lines.append(
                json.dumps(
                    {
                        "service": self.service,
                        "name": span.name,
                        "trace_id": f"{ctx.trace_id:032x}",
                        "span_id": f"{ctx.span_id:016x}",
                        "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
                    }
                )
            )
        with self._lock, self.path.open("a") as out:
            out.write("".join(line + "\n" for line in lines))
        return SpanExportResult.SUCCESS


def configure_tracing(service: str) -> TracerProvider:
    """The process's tracer provider (created once)."""
    global _provider  # noqa: PLW0603 - one provider per process, like OpenTelemetry's own global
    if _provider is not None:
        return _provider
    name = os.environ.get("OTEL_SERVICE_NAME") or f"walletscan-{service}"
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace_dir = os.environ.get("WALLETSCAN_TRACE_DIR")
    if trace_dir:
        exporter = JsonLinesSpanExporter(Path(trace_dir) / f"{service}.jsonl", service)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _provider = provider
    return provider


def inject_trace_context(headers: dict[str, str]) -> None:
    """Add the current span's W3C `traceparent` to outgoing message headers."""
    propagate.inject(headers)
