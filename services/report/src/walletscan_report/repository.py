"""Reads of the aggregator's read model needed for a report."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from walletscan_contracts import readmodel as rm
from walletscan_platform.database import match

Document = dict[str, Any]


class ReportData:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db

    async def scan(self, scan_id: str) -> Document | None:
        return await self.db[rm.SCANS].find_one(match({"_id": scan_id}))

    async def addresses(self, scan_id: str) -> list[Document]:
        cursor = (
            self.db[rm.ADDRESSES]
            .find(match({"scan_id": scan_id}), {"_id": 0})
            .sort([("track_id", ASCENDING), ("index", ASCENDING)])
        )
        return [doc async for doc in cursor]

    async def transactions(self, scan_id: str) -> list[Document]:
        cursor = (
            self.db[rm.TRANSACTIONS]
            .find(match({"scan_id": scan_id}), {"_id": 0})
            .sort([("sort_key", DESCENDING)])
        )
        return [doc async for doc in cursor]

    async def utxos(self, scan_id: str) -> list[Document]:
        cursor = (
            self.db[rm.UTXOS]
            .find(match({"scan_id": scan_id}), {"_id": 0})
            .sort([("block_height", ASCENDING), ("txid", ASCENDING), ("vout", ASCENDING)])
        )
        return [doc async for doc in cursor]
