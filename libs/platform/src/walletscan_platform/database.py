"""MongoDB wiring through PyMongo's asyncio client (the successor of Motor)."""

from __future__ import annotations

from typing import Any

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
