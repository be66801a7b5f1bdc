"""The aggregator's handlers on FastStream's in-memory broker with a real MongoDB-compatible
server (nx-27017 on a free port, or WALLETSCAN_TEST_MONGODB_URL): a scan request becomes derive
commands for the gap limit, fetched facts complete the scan, and a redelivered event changes
nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from faststream.nats import JStream, NatsBroker, NatsMessage, TestNatsBroker
from walletscan_aggregator.handlers import Runtime, register
from walletscan_aggregator.repository import ReadModel
from walletscan_aggregator.settings import AggregatorSettings
from walletscan_contracts import subjects
from walletscan_contracts.chains import Network, ScriptType
from walletscan_contracts.envelope import envelope
from walletscan_contracts.events import (
    ADDRESS_TRACK,
    AddressesDerived,
    AddressFetched,
    AddressSummary,
    AddressTx,
    DerivedAddress,
    EventType,
    ScanRequested,
    Track,
    WatchedAddress,
)
from walletscan_contracts.streams import SCAN_EVENTS
from walletscan_platform.database import make_client
from walletscan_testkit.stack import Infrastructure, infrastructure

ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31"
    "mGDtKsAYz2oz2AGutZYs"
)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    with infrastructure(tmp_path_factory.mktemp("aggregator")) as running:
        yield running


@pytest.fixture
async def harness(
    servers: Infrastructure,
) -> AsyncIterator[tuple[NatsBroker, ReadModel, dict[str, list[dict[str, Any]]]]]:
    client = make_client(servers.mongodb_url)
    repo = ReadModel(client[f"aggregator_test_{uuid.uuid4().hex[:8]}"])
    await repo.create_indexes()
    broker = NatsBroker()
    register(Runtime(broker=broker, settings=AggregatorSettings(), source="aggregator", repo=repo))
    seen: dict[str, list[dict[str, Any]]] = {"derive": [], "completed": []}
    stream = JStream(SCAN_EVENTS.name, declare=False)

    @broker.subscriber(subjects.ALL_SCAN_DERIVE, stream=stream)
    async def derive(body: dict[str, Any], msg: NatsMessage) -> None:
        seen["derive"].append(body)

    @broker.subscriber(subjects.ALL_SCAN_COMPLETED, stream=stream)
    async def completed(body: dict[str, Any], msg: NatsMessage) -> None:
        seen["completed"].append(body)

    yield broker, repo, seen
    await client.close()


def publish_body(data: Any, event_type: EventType) -> dict[str, Any]:
    return envelope(data, event_type=event_type, source="test").model_dump(mode="json")


async def test_a_key_scan_asks_for_exactly_the_gap_limit_per_chain(harness: Any) -> None:
    broker, repo, seen = harness
    tracks = [
        Track(key=ZPUB, script_type=ScriptType.P2WPKH, branch=b, path_prefix="m/84'/0'/0'")
        for b in (0, 1)
    ]
    req = ScanRequested(
        scan_id="k1",
        owner_id="u",
        input_type="zpub",
        input_display="zpub",
        network=Network.BITCOIN,
        gap_limit=30,
        batch_size=20,
        tracks=tracks,
        requested_at=datetime.now(UTC),
    )
    async with TestNatsBroker(broker) as br:
        await br.publish(publish_body(req, EventType.SCAN_REQUESTED), subjects.scan_requested("k1"))
    ranges = sorted(
        (d["data"]["track"]["branch"], d["data"]["start"], d["data"]["count"])
        for d in seen["derive"]
    )
    assert ranges == [(0, 0, 20), (0, 20, 10), (1, 0, 20), (1, 20, 10)]
    scan = await repo.get_scan("k1")
    assert scan is not None
    assert scan["status"] == "running"


async def test_an_address_scan_completes_once_and_ignores_a_redelivery(harness: Any) -> None:
    broker, repo, seen = harness
    address = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    req = ScanRequested(
        scan_id="a1",
        owner_id="u",
        input_type="address",
        input_display=address,
        network=Network.BITCOIN,
        addresses=[WatchedAddress(address=address)],
        requested_at=datetime.now(UTC),
    )
    derived = AddressesDerived(
        scan_id="a1",
        network=Network.BITCOIN,
        track_id=ADDRESS_TRACK,
        start=0,
        addresses=[DerivedAddress(address=address, track_id=ADDRESS_TRACK, index=0)],
    )
    txs = [
        AddressTx(
            txid="t1",
            received=50_000,
            spent=0,
            fee=0,
            input_total=0,
            block_height=10,
            block_time=1_700_000_000,
        ),
        AddressTx(
            txid="t2",
            received=0,
            spent=20_300,
            fee=300,
            input_total=20_300,
            block_height=11,
            block_time=1_700_000_600,
        ),
    ]
    fetched = AddressFetched(
        scan_id="a1",
        provider="esplora",
        network=Network.BITCOIN,
        address=address,
        track_id=ADDRESS_TRACK,
        index=0,
        chunk=0,
        chunks=1,
        tip_height=12,
        summary=AddressSummary(
            address=address,
            chain_funded=50_000,
            chain_spent=20_300,
            mempool_funded=0,
            mempool_spent=0,
            chain_tx_count=2,
            mempool_tx_count=0,
        ),
        txs=txs,
    )
    async with TestNatsBroker(broker) as br:
        await br.publish(publish_body(req, EventType.SCAN_REQUESTED), subjects.scan_requested("a1"))
        # The fetch result may be folded before the address is recorded: the scan still ends.
        await br.publish(
            publish_body(fetched, EventType.SCAN_FETCHED), subjects.scan_fetched("a1", "esplora")
        )
        await br.publish(publish_body(derived, EventType.SCAN_DERIVED), subjects.scan_derived("a1"))
        await br.publish(
            publish_body(fetched, EventType.SCAN_FETCHED), subjects.scan_fetched("a1", "esplora")
        )

    scan = await repo.get_scan("a1")
    assert scan is not None
    assert scan["status"] == "completed"
    summary = scan["summary"]
    assert (summary["balance"], summary["total_received"], summary["total_sent"]) == (
        29_700,
        50_000,
        20_300,
    )
    assert (summary["total_fees"], summary["tx_count"], summary["reconciled"]) == (300, 2, True)
    assert [c["data"]["scan_id"] for c in seen["completed"]] == ["a1"]
    assert await repo.transactions.count_documents({"scan_id": "a1"}) == 2


async def test_a_failure_that_overtakes_its_request_still_fails_the_scan(harness: Any) -> None:
    """An open breaker re-routes at once, so `failed` can arrive before `requested` is folded:
    it must be retried, not dropped (the scan would otherwise run forever)."""
    from walletscan_contracts.events import ScanFailed

    broker, repo, _ = harness
    failed = ScanFailed(scan_id="f1", reason="no provider could fetch", failed_at=datetime.now(UTC))
    req = ScanRequested(
        scan_id="f1",
        owner_id="u",
        input_type="address",
        input_display="x",
        network=Network.BITCOIN,
        addresses=[WatchedAddress(address="bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")],
        requested_at=datetime.now(UTC),
    )
    async with TestNatsBroker(broker) as br:
        # Too early: the handler asks for a redelivery (a nack) and records nothing.
        await br.publish(publish_body(failed, EventType.SCAN_FAILED), subjects.scan_failed("f1"))
        assert await repo.get_scan("f1") is None
        await br.publish(publish_body(req, EventType.SCAN_REQUESTED), subjects.scan_requested("f1"))
        # The redelivery, once the request is recorded.
        await br.publish(publish_body(failed, EventType.SCAN_FAILED), subjects.scan_failed("f1"))
    scan = await repo.get_scan("f1")
    assert scan is not None
    assert (scan["status"], scan["error"]) == ("failed", "no provider could fetch")
