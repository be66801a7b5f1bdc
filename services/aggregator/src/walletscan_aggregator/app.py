"""Wiring of the aggregator process."""

from __future__ import annotations

import asyncio

from faststream import FastStream
from pymongo.asynchronous.database import AsyncDatabase
from walletscan_platform.bus import make_broker
from walletscan_platform.database import Document, attach_database

from walletscan_aggregator.handlers import Runtime, register, watch_for_stalls
from walletscan_aggregator.repository import ReadModel
from walletscan_aggregator.settings import AggregatorSettings


def build_app(settings: AggregatorSettings | None = None) -> FastStream:
    settings = settings or AggregatorSettings()
    broker = make_broker(settings.nats_url, "aggregator")
    rt = Runtime(broker=broker, settings=settings, source="aggregator")
    register(rt)
    app = FastStream(broker)

    async def connect(db: AsyncDatabase[Document]) -> None:
        rt.repo = ReadModel(db)
        await rt.repo.create_indexes()

    attach_database(app, settings.mongodb_url, settings.mongodb_database, connect)
    watch: list[asyncio.Task[None]] = []

    @app.after_startup
    async def start_stall_watch() -> None:
        watch.append(asyncio.create_task(watch_for_stalls(rt)))

    @app.on_shutdown
    async def stop_stall_watch() -> None:
        for task in watch:
            task.cancel()

    return app
