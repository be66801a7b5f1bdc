"""The gateway's reads of the aggregator's read model. Every read is scoped to the owner, so
another user's scan is simply not found."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from walletscan_contracts import readmodel as rm
from walletscan_platform.database import count, match, scan_documents

Document = dict[str, Any]


class ScanReads:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db

    async def scan(self, scan_id: str, owner_id: str) -> Document | None:
        return await self.db[rm.SCANS].find_one(match({"_id": scan_id, "owner_id": owner_id}))

    async def group_scans(self, group_id: str, owner_id: str) -> list[Document]:
        """The per-chain scans of a multi-chain scan, in the order the chains were asked."""
        cursor = (
            self.db[rm.SCANS]
            .find(match({"group_id": group_id, "owner_id": owner_id}))
            .sort([("group_position", ASCENDING)])
        )
        return [doc async for doc in cursor]

    async def scans(self, owner_id: str, *, skip: int, limit: int) -> tuple[list[Document], int]:
        query = {"owner_id": owner_id}
        total = await count(self.db[rm.SCANS], query)
        cursor = (
            self.db[rm.SCANS]
            .find(match(query))
            .sort([("requested_at", DESCENDING), ("_id", DESCENDING)])
            .skip(skip)
            .limit(limit)
        )
        return [doc async for doc in cursor], total

    async def scans_since(self, owner_id: str, since: datetime) -> int:
        return await count(
            self.db[rm.SCANS], {"owner_id": owner_id, "requested_at": {"$gte": since}}
        )

    async def address_counts(self, scan_id: str) -> tuple[int, int]:
        coll = self.db[rm.ADDRESSES]
        derived = await count(coll, {"scan_id": scan_id, "derived": True})
        fetched = await count(coll, {"scan_id": scan_id, "fetched": True})
        return derived, fetched

    async def addresses(self, scan_id: str) -> list[Document]:
        return await scan_documents(self.db, rm.ADDRESSES, scan_id, rm.ADDRESS_ORDER)

    async def transactions(
        self, scan_id: str, *, direction: str | None, skip: int, limit: int
    ) -> tuple[list[Document], int]:
        query: Document = {"scan_id": scan_id}
        if direction:
            query["direction"] = direction
        coll = self.db[rm.TRANSACTIONS]
        total = await count(coll, query)
        cursor = (
            coll.find(match(query), {"_id": 0})
            .sort(list(rm.TRANSACTION_ORDER))
            .skip(skip)
            .limit(limit)
        )
        return [doc async for doc in cursor], total

    async def tokens(self, scan_id: str) -> list[Document]:
        return await scan_documents(self.db, rm.TOKENS, scan_id, rm.TOKEN_ORDER)

    async def utxos(self, scan_id: str) -> list[Document]:
        return await scan_documents(self.db, rm.UTXOS, scan_id, rm.UTXO_ORDER)
