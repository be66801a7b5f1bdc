"""Wiring of the report process."""

from __future__ import annotations

from faststream import FastStream
from pymongo.asynchronous.database import AsyncDatabase
from walletscan_platform.bus import make_broker
from walletscan_platform.database import Document, attach_database

from walletscan_report.handlers import Runtime, register
from walletscan_report.repository import ReportData
from walletscan_report.settings import ReportSettings


def build_app(settings: ReportSettings | None = None) -> FastStream:
    settings = settings or ReportSettings()
    broker = make_broker(settings.nats_url, "report")
    rt = Runtime(broker=broker, settings=settings, source="report")
    register(rt)
    app = FastStream(broker)

    async def connect(db: AsyncDatabase[Document]) -> None:
        rt.data = ReportData(db)

    attach_database(app, settings.mongodb_url, settings.mongodb_database, connect)

    @app.after_startup
    async def open_store() -> None:
        await rt.store()

    return app
