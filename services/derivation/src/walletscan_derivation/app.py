"""Wiring of the derivation process."""

from __future__ import annotations

from faststream import FastStream
from walletscan_platform.bus import make_broker

from walletscan_derivation.handlers import Runtime, register
from walletscan_derivation.settings import DerivationSettings


def build_app(settings: DerivationSettings | None = None) -> FastStream:
    settings = settings or DerivationSettings()
    broker = make_broker(settings.nats_url, "derivation")
    register(Runtime(broker=broker, settings=settings, source="derivation"))
    return FastStream(broker)
