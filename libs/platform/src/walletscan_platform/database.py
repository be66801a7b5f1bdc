"""MongoDB wiring through PyMongo's asyncio client (the successor of Motor)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream import FastStream
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


def make_client(mongodb_url: str) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        mongodb_url,
        serverSelectionTimeoutMS=10_000,
        tz_aware=True,
        appname="walletscan",
    )


def database(client: AsyncMongoClient[Document], name: str) -> AsyncDatabase[Document]:
    return client[name]


async def ping(client: AsyncMongoClient[Document]) -> bool:
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    return True


def attach_database(
    app: FastStream,
    mongodb_url: str,
    database_name: str,
    connect: Callable[[AsyncDatabase[Document]], Awaitable[None]],
) -> None:
    """Open the service's MongoDB client when the app starts (handing its database to
    `connect`) and close it after the app stops."""
    client = make_client(mongodb_url)

    @app.on_startup
    async def open_database() -> None:
        await connect(client[database_name])

    @app.after_shutdown
    async def close_database() -> None:
        await client.close()
