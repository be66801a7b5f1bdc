"""Wiring of the report process."""

from __future__ import annotations

from faststream import FastStream
from walletscan_platform.bus import make_broker
from walletscan_platform.database import make_client

from walletscan_report.handlers import Runtime, register
from walletscan_report.repository import ReportData
from walletscan_report.settings import ReportSettings


def build_app(settings: ReportSettings | None = None) -> FastStream:
    settings = settings or ReportSettings()
    broker = make_broker(settings.nats_url, "report")
    rt = Runtime(broker=broker, settings=settings)
    register(rt)
    client = make_client(settings.mongodb_url)
    app = FastStream(broker)

    @app.on_startup
    async def connect_read_model() -> None:
        rt.data = ReportData(client[settings.mongodb_database])

    @app.after_startup
    async def open_store() -> None:
        await rt.store()

    @app.after_shutdown
    async def close_read_model() -> None:
        await client.close()

    return app
