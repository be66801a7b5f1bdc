"""Turning what a user pasted into a `ScanRequested` event: pure, so every refusal can be
tested without a server."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from walletscan_contracts.chains import Network
from walletscan_contracts.events import CHANGE, RECEIVE, ScanRequested, Track, WatchedAddress
from walletscan_keys import InputError, ParsedInput, parse_input

CHAIN_ALIASES: dict[str, Network] = {
    "bitcoin": Network.BITCOIN,
    "btc": Network.BITCOIN,
    "mainnet": Network.BITCOIN,
    "bitcoin-testnet": Network.BITCOIN_TESTNET,
    "testnet": Network.BITCOIN_TESTNET,
    "tbtc": Network.BITCOIN_TESTNET,
}

DEFAULT_BATCH_SIZE = 20


class ScanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str = Field(
        min_length=1,
        max_length=200_000,
        description="an extended public key (xpub/ypub/zpub/tpub/upub/vpub), an address, "
        "or addresses one per line",
    )
    chain: str | None = Field(default=None, description="bitcoin or bitcoin-testnet")
    gap_limit: int = Field(default=20, ge=1, le=1000)
    script_types: list[str] | None = Field(default=None, max_length=6)


def network_of(chain: str | None) -> Network | None:
    if chain is None or not chain.strip():
        return None
    try:
        return CHAIN_ALIASES[chain.strip().lower()]
    except KeyError:
        known = ", ".join(sorted({n.value for n in CHAIN_ALIASES.values()}))
        msg = f"unknown chain {chain!r}; supported chains: {known}"
        raise InputError(msg) from None


def parse_request(body: ScanRequest) -> ParsedInput:
    return parse_input(body.input, script_types=body.script_types, network=network_of(body.chain))


def build_scan_requested(
    parsed: ParsedInput, body: ScanRequest, *, owner_id: str, now: datetime
) -> ScanRequested:
    tracks = []
    if parsed.kind == "xpub" and parsed.key is not None:
        tracks = [
            Track(
                key=parsed.key,
                script_type=script_type,
                branch=branch,
                path_prefix=parsed.path_prefix,
            )
            for script_type in parsed.script_types
            for branch in (RECEIVE, CHANGE)
        ]
    return ScanRequested(
        scan_id=uuid.uuid4().hex,
        owner_id=owner_id,
        input_type=parsed.input_type,
        input_display=parsed.display,
        network=parsed.network,
        gap_limit=body.gap_limit,
        # Small gap limits derive small batches, so a gap of 1 does not fetch 20 addresses.
        batch_size=min(DEFAULT_BATCH_SIZE, body.gap_limit),
        tracks=tracks,
        addresses=[
            WatchedAddress(address=a.address, script_type=a.script_type) for a in parsed.addresses
        ],
        requested_at=now,
    )
