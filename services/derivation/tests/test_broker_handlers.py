"""The derivation service's handlers on FastStream's in-memory broker: a derive command in,
derived addresses and one fetch command per address out, with deterministic message ids."""

from __future__ import annotations

from typing import Any

from faststream.nats import JStream, NatsBroker, NatsMessage, TestNatsBroker
from walletscan_contracts import subjects
from walletscan_contracts.chains import Network, ScriptType
from walletscan_contracts.envelope import MSG_ID_HEADER, envelope
from walletscan_contracts.events import (
    AddressesDerived,
    DeriveBatch,
    EventType,
    FetchAddress,
    ScanRequested,
    Track,
    WatchedAddress,
)
from walletscan_contracts.streams import FETCH_JOBS, SCAN_EVENTS
from walletscan_derivation.handlers import Runtime, register
from walletscan_derivation.settings import DerivationSettings

ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31"
    "mGDtKsAYz2oz2AGutZYs"
)


def build() -> tuple[NatsBroker, dict[str, list[tuple[dict[str, Any], dict[str, str]]]]]:
    broker = NatsBroker()
    register(
        Runtime(
            broker=broker,
            settings=DerivationSettings(providers_bitcoin="esplora"),
            source="derivation",
        )
    )
    seen: dict[str, list[tuple[dict[str, Any], dict[str, str]]]] = {"derived": [], "fetch": []}

    @broker.subscriber(subjects.ALL_SCAN_DERIVED, stream=JStream(SCAN_EVENTS.name, declare=False))
    async def derived(body: dict[str, Any], msg: NatsMessage) -> None:
        seen["derived"].append((body, dict(msg.headers)))

    @broker.subscriber(
        subjects.all_scan_fetch("esplora"), stream=JStream(FETCH_JOBS.name, declare=False)
    )
    async def fetch(body: dict[str, Any], msg: NatsMessage) -> None:
        seen["fetch"].append((body, dict(msg.headers)))

    return broker, seen


async def test_derive_command_yields_addresses_and_fetch_commands() -> None:
    broker, seen = build()
    track = Track(key=ZPUB, script_type=ScriptType.P2WPKH, branch=1, path_prefix="m/84'/0'/0'")
    cmd = DeriveBatch(scan_id="s1", network=Network.BITCOIN, track=track, start=0, count=3)
    event = envelope(cmd, event_type=EventType.SCAN_DERIVE, source="test")
    async with TestNatsBroker(broker) as br:
        await br.publish(event.model_dump(mode="json"), subjects.scan_derive("s1"))

    [(body, headers)] = seen["derived"]
    derived = AddressesDerived.model_validate(body["data"])
    # BIP84 test vector: first change address of m/84'/0'/0'.
    assert derived.addresses[0].address == "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"
    assert [a.path for a in derived.addresses] == [f"m/84'/0'/0'/1/{i}" for i in range(3)]
    assert headers[MSG_ID_HEADER] == subjects.derived_msg_id("s1", "p2wpkh-1", 0, 3)
    assert body["causationid"] == event.id

    fetches = [FetchAddress.model_validate(b["data"]) for b, _ in seen["fetch"]]
    assert sorted(f.address for f in fetches) == sorted(a.address for a in derived.addresses)
    assert {h[MSG_ID_HEADER] for _, h in seen["fetch"]} == {
        subjects.fetch_msg_id("s1", "esplora", "p2wpkh-1", i) for i in range(3)
    }


async def test_given_addresses_are_listed_without_derivation() -> None:
    broker, seen = build()
    req = ScanRequested(
        scan_id="s2",
        owner_id="u",
        input_type="addresses",
        input_display="2 addresses",
        network=Network.BITCOIN,
        addresses=[
            WatchedAddress(address="bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"),
            WatchedAddress(address="bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"),
        ],
        requested_at="2026-01-01T00:00:00Z",  # type: ignore[arg-type]
    )
    event = envelope(req, event_type=EventType.SCAN_REQUESTED, source="test")
    async with TestNatsBroker(broker) as br:
        await br.publish(event.model_dump(mode="json"), subjects.scan_requested("s2"))
    [(body, _)] = seen["derived"]
    assert [a["address"] for a in body["data"]["addresses"]] == [a.address for a in req.addresses]
    assert len(seen["fetch"]) == 2


async def test_xpub_request_is_left_to_the_aggregator() -> None:
    """The aggregator decides how far each chain is derived; a key request derives nothing."""
    broker, seen = build()
    track = Track(key=ZPUB, script_type=ScriptType.P2WPKH, branch=0, path_prefix="m/84'/0'/0'")
    req = ScanRequested(
        scan_id="s3",
        owner_id="u",
        input_type="zpub",
        input_display="zpub",
        network=Network.BITCOIN,
        tracks=[track],
        requested_at="2026-01-01T00:00:00Z",  # type: ignore[arg-type]
    )
    event = envelope(req, event_type=EventType.SCAN_REQUESTED, source="test")
    async with TestNatsBroker(broker) as br:
        await br.publish(event.model_dump(mode="json"), subjects.scan_requested("s3"))
    assert seen == {"derived": [], "fetch": []}
