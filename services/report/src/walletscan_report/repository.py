"""Reads of the aggregator's read model needed for a report."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from walletscan_contracts import readmodel as rm
from walletscan_platform.database import match, scan_documents

Document = dict[str, Any]


class ReportData:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db

    async def scan(self, scan_id: str) -> Document | None:
        return await self.db[rm.SCANS].find_one(match({"_id": scan_id}))

    async def addresses(self, scan_id: str) -> list[Document]:
        return await scan_documents(self.db, rm.ADDRESSES, scan_id, rm.ADDRESS_ORDER)

    async def transactions(self, scan_id: str) -> list[Document]:
        return await scan_documents(self.db, rm.TRANSACTIONS, scan_id, rm.TRANSACTION_ORDER)

    async def utxos(self, scan_id: str) -> list[Document]:
        return await scan_documents(self.db, rm.UTXOS, scan_id, rm.UTXO_ORDER)
