"""Wiring of the aggregator process."""

from __future__ import annotations

from faststream import FastStream
from walletscan_platform.bus import make_broker
from walletscan_platform.database import make_client

from walletscan_aggregator.handlers import Runtime, register
from walletscan_aggregator.repository import ReadModel
from walletscan_aggregator.settings import AggregatorSettings


def build_app(settings: AggregatorSettings | None = None) -> FastStream:
    settings = settings or AggregatorSettings()
    broker = make_broker(settings.nats_url, "aggregator")
    rt = Runtime(broker=broker, settings=settings)
    register(rt)
    client = make_client(settings.mongodb_url)
    app = FastStream(broker)

    @app.on_startup
    async def connect_read_model() -> None:
        rt.repo = ReadModel(client[settings.mongodb_database])
        await rt.repo.create_indexes()

    @app.after_shutdown
    async def close_read_model() -> None:
        await client.close()

    return app
