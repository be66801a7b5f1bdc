"""The aggregator's read model in MongoDB. Facts are stored under natural keys with upserts, so
a redelivered event changes nothing; totals are recomputed from facts, never incremented."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from walletscan_contracts import readmodel as rm
from walletscan_contracts.events import (
    AddressesDerived,
    AddressFetched,
    AddressSummary,
    AddressTx,
    EvmAccount,
    EvmTx,
    ScanPhase,
    ScanRequested,
    ScanStatus,
    TokenBalance,
    TokenTransfer,
)
from walletscan_platform.database import count, match

from walletscan_aggregator.evm_accounting import EvmFacts

Document = dict[str, Any]


class ReadModel:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.scans = db[rm.SCANS]
        self.addresses = db[rm.ADDRESSES]
        self.address_txs = db[rm.ADDRESS_TXS]
        self.fetch_chunks = db[rm.FETCH_CHUNKS]
        self.transactions = db[rm.TRANSACTIONS]
        self.utxos = db[rm.UTXOS]
        self.evm_txs = db[rm.EVM_TXS]
        self.token_transfers = db[rm.TOKEN_TRANSFERS]
        self.tokens = db[rm.TOKENS]

    async def create_indexes(self) -> None:
        await self.scans.create_index([("owner_id", ASCENDING), ("requested_at", DESCENDING)])
        await self.addresses.create_index(
            [("scan_id", ASCENDING), ("address", ASCENDING)], unique=True
        )
        await self.addresses.create_index(
            [("scan_id", ASCENDING), ("track_id", ASCENDING), ("index", ASCENDING)]
        )
        await self.address_txs.create_index(
            [("scan_id", ASCENDING), ("address", ASCENDING), ("txid", ASCENDING)], unique=True
        )
        await self.fetch_chunks.create_index(
            [("scan_id", ASCENDING), ("address", ASCENDING), ("chunk", ASCENDING)], unique=True
        )
        await self.transactions.create_index(
            [("scan_id", ASCENDING), ("txid", ASCENDING)], unique=True
        )
        await self.transactions.create_index([("scan_id", ASCENDING), ("sort_key", DESCENDING)])
        await self.utxos.create_index(
            [("scan_id", ASCENDING), ("txid", ASCENDING), ("vout", ASCENDING)], unique=True
        )
        await self.evm_txs.create_index(
            [("scan_id", ASCENDING), ("address", ASCENDING), ("txid", ASCENDING)], unique=True
        )
        await self.token_transfers.create_index(
            [("scan_id", ASCENDING), ("address", ASCENDING), ("key", ASCENDING)], unique=True
        )
        await self.tokens.create_index([("scan_id", ASCENDING), ("token", ASCENDING)], unique=True)

    # --- scans ---------------------------------------------------------------------------

    async def create_scan(self, req: ScanRequested) -> None:
        await self.scans.update_one(
            match({"_id": req.scan_id}),
            {
                "$setOnInsert": {
                    "owner_id": req.owner_id,
                    "input_type": req.input_type,
                    "input_display": req.input_display,
                    "network": req.network.value,
                    "gap_limit": req.gap_limit,
                    "batch_size": req.batch_size,
                    "tracks": [
                        {
                            "id": t.id,
                            "key": t.key,
                            "script_type": t.script_type.value,
                            "branch": t.branch,
                            "path_prefix": t.path_prefix,
                            "descriptor": t.descriptor,
                        }
                        for t in req.tracks
                    ],
                    "address_count_given": len(req.addresses),
                    "group_id": req.group_id,
                    "group_position": req.group_position,
                    "requested_at": req.requested_at,
                    "status": ScanStatus.QUEUED.value,
                    "phase": ScanPhase.QUEUED.value,
                    "error": None,
                    "summary": None,
                    "completed_at": None,
                    "derive_targets": {},
                    "tip_height": 0,
                    # Unix seconds, not a datetime: nx-27017 stores a $set datetime as text,
                    # which would not compare; a number compares the same everywhere.
                    "last_event_ts": req.requested_at.timestamp(),
                    "resumes": 0,
                }
            },
            upsert=True,
        )

    async def get_scan(self, scan_id: str) -> Document | None:
        return await self.scans.find_one(match({"_id": scan_id}))

    async def set_status(
        self, scan_id: str, status: ScanStatus, phase: ScanPhase, **fields: Any
    ) -> None:
        await self.scans.update_one(
            match({"_id": scan_id}),
            {"$set": {"status": status.value, "phase": phase.value, **fields}},
        )

    async def claim_finish(self, scan_id: str) -> bool:
        """Only one handler folds a finished scan: the first to move it to `aggregating`.
        (Several fetch results can see the scan complete at once; folding 10,000
        transactions several times over is wasted work.)"""
        result = await self.scans.update_one(
            match(
                {
                    "_id": scan_id,
                    "status": {"$in": [ScanStatus.QUEUED.value, ScanStatus.RUNNING.value]},
                    "phase": {"$ne": ScanPhase.AGGREGATING.value},
                }
            ),
            {"$set": {"status": ScanStatus.RUNNING.value, "phase": ScanPhase.AGGREGATING.value}},
        )
        return result.modified_count == 1

    async def mark_running(self, scan_id: str, phase: ScanPhase) -> None:
        """Move a queued or running scan forward; never resurrect a finished one."""
        await self.scans.update_one(
            match(
                {
                    "_id": scan_id,
                    "status": {"$in": [ScanStatus.QUEUED.value, ScanStatus.RUNNING.value]},
                }
            ),
            {"$set": {"status": ScanStatus.RUNNING.value, "phase": phase.value}},
        )

    async def derive_target(self, scan_id: str, track_id: str) -> int:
        """How many addresses of a track have been asked for so far."""
        doc = await self.scans.find_one(match({"_id": scan_id}), {"derive_targets": 1})
        return int(((doc or {}).get("derive_targets") or {}).get(track_id, 0))

    async def record_derive_target(self, scan_id: str, track_id: str, target: int) -> None:
        """`$max` keeps this idempotent under redelivery and concurrent handlers."""
        await self.scans.update_one(
            match({"_id": scan_id}), {"$max": {f"derive_targets.{track_id}": target}}
        )

    async def note_tip_height(self, scan_id: str, height: int) -> None:
        await self.scans.update_one(
            match({"_id": scan_id}),
            {"$max": {"tip_height": height}, "$set": {"last_event_ts": time.time()}},
        )

    async def touch(self, scan_id: str) -> None:
        """Note that the scan moved (the stall watch resumes scans that stop moving)."""
        await self.scans.update_one(
            match({"_id": scan_id}), {"$set": {"last_event_ts": time.time()}}
        )

    async def claim_stalled(self, idle_since: float) -> Document | None:
        """Atomically take one running scan idle since before `idle_since` for resumption;
        with several aggregators each stalled scan is claimed by one of them."""
        return await self.scans.find_one_and_update(
            match(
                {
                    "status": {"$in": [ScanStatus.QUEUED.value, ScanStatus.RUNNING.value]},
                    "last_event_ts": {"$lt": idle_since},
                }
            ),
            {"$set": {"last_event_ts": time.time()}, "$inc": {"resumes": 1}},
            return_document=ReturnDocument.AFTER,
        )

    async def fetched_indexes(self, scan_id: str, track_id: str) -> set[int]:
        cursor = self.addresses.find(
            match({"scan_id": scan_id, "track_id": track_id, "fetched": True}), {"index": 1}
        )
        return {int(doc["index"]) async for doc in cursor}

    # --- addresses -----------------------------------------------------------------------

    async def store_derived(self, event: AddressesDerived) -> None:
        ops = [
            UpdateOne(
                match({"scan_id": event.scan_id, "address": a.address}),
                {
                    "$set": {
                        "track_id": a.track_id,
                        "branch": a.branch,
                        "index": a.index,
                        "path": a.path,
                        "script_type": a.script_type.value if a.script_type else None,
                        "derived": True,
                    },
                    "$setOnInsert": {"fetched": False},
                },
                upsert=True,
            )
            for a in event.addresses
        ]
        if ops:
            await self.addresses.bulk_write(ops, ordered=False)

    async def store_fetched_chunk(self, event: AddressFetched) -> bool:
        """Store one chunk's facts; True once every chunk of the address has arrived."""
        key = {"scan_id": event.scan_id, "address": event.address}
        tx_ops = [
            UpdateOne(
                match({**key, "txid": tx.txid}),
                {"$set": tx.model_dump()},
                upsert=True,
            )
            for tx in event.txs
        ]
        if tx_ops:
            await self.address_txs.bulk_write(tx_ops, ordered=False)
        if event.chunk == 0:
            utxo_ops = [
                UpdateOne(
                    match({"scan_id": event.scan_id, "txid": u.txid, "vout": u.vout}),
                    {"$set": {**u.model_dump(), "address": event.address}},
                    upsert=True,
                )
                for u in event.utxos
            ]
            if utxo_ops:
                await self.utxos.bulk_write(utxo_ops, ordered=False)
        await self.fetch_chunks.update_one(
            match({**key, "chunk": event.chunk}),
            {"$set": {"chunks": event.chunks, "tx_count": len(event.txs)}},
            upsert=True,
        )
        arrived = await count(self.fetch_chunks, key)
        return arrived >= event.chunks

    # --- EVM facts (amounts stay decimal strings, as the event carries them) ---------------

    async def store_evm_chunk(self, event: AddressFetched) -> None:
        """Native and token facts under natural keys (a redelivered chunk changes nothing);
        chunk 0's account and token balances go on the address's document."""
        evm = event.evm
        if evm is None:
            return
        key = {"scan_id": event.scan_id, "address": event.address}
        tx_ops = [
            UpdateOne(match({**key, "txid": t.txid}), {"$set": t.model_dump()}, upsert=True)
            for t in evm.txs
        ]
        if tx_ops:
            await self.evm_txs.bulk_write(tx_ops, ordered=False)
        transfer_ops = [
            UpdateOne(match({**key, "key": t.key}), {"$set": t.model_dump()}, upsert=True)
            for t in evm.token_transfers
        ]
        if transfer_ops:
            await self.token_transfers.bulk_write(transfer_ops, ordered=False)
        if evm.account is not None:
            await self.addresses.update_one(
                match(key),
                {
                    "$set": {
                        "evm_account": evm.account.model_dump(),
                        "evm_tokens": [t.model_dump() for t in evm.tokens],
                    }
                },
                upsert=True,
            )

    async def evm_facts(self, scan_id: str, address: str | None = None) -> dict[str, EvmFacts]:
        """EVM facts by address: the whole scan's, or one address's (an address completing
        must not read every other address's facts again)."""
        key: Document = (
            {"scan_id": scan_id}
            if address is None
            else {
                "scan_id": scan_id,
                "address": address,
            }
        )
        txs: dict[str, list[EvmTx]] = defaultdict(list)
        transfers: dict[str, list[TokenTransfer]] = defaultdict(list)
        async for doc in self.evm_txs.find(match(key), {"_id": 0}):
            txs[doc["address"]].append(EvmTx.model_validate(doc))
        async for doc in self.token_transfers.find(match(key), {"_id": 0}):
            transfers[doc["address"]].append(TokenTransfer.model_validate(doc))
        out: dict[str, EvmFacts] = {}
        cursor = self.addresses.find(match({**key, "fetched": True}))
        async for doc in cursor:
            account = doc.get("evm_account")
            address = doc["address"]
            out[address] = EvmFacts(
                account=EvmAccount.model_validate(account) if account else None,
                txs=txs.get(address, []),
                transfers=transfers.get(address, []),
                tokens=[TokenBalance.model_validate(t) for t in doc.get("evm_tokens") or []],
            )
        return out

    async def set_evm_address_totals(
        self, scan_id: str, address: str, totals: Mapping[str, Any]
    ) -> None:
        await self.addresses.update_one(
            match({"scan_id": scan_id, "address": address}), {"$set": dict(totals)}
        )

    async def store_tokens(self, scan_id: str, docs: Iterable[Mapping[str, Any]]) -> None:
        ops = [
            UpdateOne(
                match({"scan_id": scan_id, "token": d["token"]}), {"$set": dict(d)}, upsert=True
            )
            for d in docs
        ]
        if ops:
            await self.tokens.bulk_write(ops, ordered=False)

    async def address_facts(self, scan_id: str, address: str) -> list[AddressTx]:
        cursor = self.address_txs.find(match({"scan_id": scan_id, "address": address}), {"_id": 0})
        return [AddressTx.model_validate(doc) async for doc in cursor]

    async def complete_address(
        self,
        event: AddressFetched,
        *,
        received: int,
        sent: int,
        balance: int,
        confirmed_balance: int,
        tx_count: int,
    ) -> None:
        await self.addresses.update_one(
            match({"scan_id": event.scan_id, "address": event.address}),
            {
                "$set": {
                    "track_id": event.track_id,
                    "index": event.index,
                    "fetched": True,
                    "provider": event.provider,
                    "summary": event.summary.model_dump(),
                    "used": tx_count > 0 or event.summary.tx_count > 0,
                    "tx_count": tx_count,
                    "received": received,
                    "sent": sent,
                    "balance": balance,
                    "confirmed_balance": confirmed_balance,
                }
            },
            upsert=True,
        )

    async def track_state(self, scan_id: str, track_id: str) -> tuple[int, int, int | None]:
        """(derived, fetched, highest used index) of one track, from the stored facts."""
        base = {"scan_id": scan_id, "track_id": track_id}
        derived = await count(self.addresses, {**base, "derived": True})
        fetched = await count(self.addresses, {**base, "fetched": True})
        highest = await self.addresses.find_one(
            match({**base, "used": True}), {"index": 1}, sort=[("index", DESCENDING)]
        )
        return derived, fetched, (int(highest["index"]) if highest else None)

    async def address_counts(self, scan_id: str) -> tuple[int, int]:
        derived = await count(self.addresses, {"scan_id": scan_id, "derived": True})
        fetched = await count(self.addresses, {"scan_id": scan_id, "fetched": True})
        return derived, fetched

    async def all_facts(self, scan_id: str) -> dict[str, list[AddressTx]]:
        facts: dict[str, list[AddressTx]] = defaultdict(list)
        async for doc in self.address_txs.find(match({"scan_id": scan_id}), {"_id": 0}):
            facts[doc["address"]].append(AddressTx.model_validate(doc))
        return dict(facts)

    async def address_results(self, scan_id: str) -> list[Document]:
        """Per-address outcome (script type, used, balance) of the fetched addresses."""
        cursor = self.addresses.find(
            match({"scan_id": scan_id, "fetched": True}),
            {"_id": 0, "script_type": 1, "used": 1, "balance": 1, "tx_count": 1},
        )
        return [doc async for doc in cursor]

    async def all_summaries(self, scan_id: str) -> dict[str, AddressSummary]:
        out: dict[str, AddressSummary] = {}
        cursor = self.addresses.find(
            match({"scan_id": scan_id, "fetched": True}), {"address": 1, "summary": 1}
        )
        async for doc in cursor:
            if doc.get("summary"):
                out[doc["address"]] = AddressSummary.model_validate(doc["summary"])
        return out

    async def store_transactions(self, scan_id: str, rows: Iterable[Mapping[str, Any]]) -> None:
        ops = [
            UpdateOne(
                match({"scan_id": scan_id, "txid": row["txid"]}), {"$set": dict(row)}, upsert=True
            )
            for row in rows
        ]
        for start in range(0, len(ops), 1000):
            await self.transactions.bulk_write(ops[start : start + 1000], ordered=False)

    async def finish(
        self,
        scan_id: str,
        *,
        summary: Document,
        reconciliation: Document,
        history: Document,
        at: datetime,
    ) -> bool:
        """Mark completed once; False when another handler (or a failure) got there first."""
        result = await self.scans.update_one(
            match(
                {
                    "_id": scan_id,
                    "status": {"$in": [ScanStatus.QUEUED.value, ScanStatus.RUNNING.value]},
                }
            ),
            {
                "$set": {
                    "status": ScanStatus.COMPLETED.value,
                    "phase": ScanPhase.COMPLETED.value,
                    "summary": summary,
                    "reconciliation": reconciliation,
                    "history": history,
                    "completed_at": at,
                }
            },
        )
        return result.modified_count == 1

    async def fail(self, scan_id: str, reason: str, at: datetime) -> bool:
        result = await self.scans.update_one(
            match(
                {
                    "_id": scan_id,
                    "status": {"$in": [ScanStatus.QUEUED.value, ScanStatus.RUNNING.value]},
                }
            ),
            {
                "$set": {
                    "status": ScanStatus.FAILED.value,
                    "phase": ScanPhase.FAILED.value,
                    "error": reason,
                    "completed_at": at,
                }
            },
        )
        return result.modified_count == 1
