"""Process start-up shared by the broker services: logging, metrics, waiting for NATS and
MongoDB, streams, then FastStream's own run loop (which handles SIGINT/SIGTERM gracefully)."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlparse

import stamina
from faststream import FastStream
from prometheus_client import start_http_server

from walletscan_platform.bus import ensure_streams
from walletscan_platform.logs import configure_logging, get_logger
from walletscan_platform.settings import ServiceSettings

log = get_logger(__name__)


class NotReachable(ConnectionError):
    pass


@stamina.retry(on=NotReachable, attempts=120, wait_initial=0.1, wait_max=1.0, timeout=60.0)
def wait_for_tcp(url: str, default_port: int) -> None:
    """Block until a server accepts TCP; the local runner starts everything at once."""
    parsed = urlparse(url.split(",", maxsplit=1)[0])
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return
    except OSError as exc:
        raise NotReachable(f"{host}:{port}") from exc


def prepare(settings: ServiceSettings, service: str, *, needs_mongodb: bool = True) -> None:
    configure_logging(service, settings.log_level, json_logs=settings.log_json)
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.metrics_host)
    wait_for_tcp(settings.nats_url, 4222)
    if needs_mongodb:
        wait_for_tcp(settings.mongodb_url, 27017)
    asyncio.run(ensure_streams(settings.nats_url))
    log.info("service starting", nats=settings.nats_url)


def run(app: FastStream) -> None:
    asyncio.run(app.run())
