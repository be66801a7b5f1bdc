"""Turning what a user pasted into a `ScanRequested` event: pure, so every refusal can be
tested without a server."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from walletscan_contracts.chains import NETWORKS, Family, Network, family_of
from walletscan_contracts.events import ScanRequested, Track, WatchedAddress
from walletscan_keys import InputError, ParsedInput, parse_input

CHAIN_ALIASES: dict[str, Network] = {
    "bitcoin": Network.BITCOIN,
    "btc": Network.BITCOIN,
    "mainnet": Network.BITCOIN,
    "bitcoin-testnet": Network.BITCOIN_TESTNET,
    "testnet": Network.BITCOIN_TESTNET,
    "tbtc": Network.BITCOIN_TESTNET,
    # Recognised so that keys of these chains get a precise answer (see SCANNABLE_NETWORKS).
    "litecoin": Network.LITECOIN,
    "ltc": Network.LITECOIN,
    "dogecoin": Network.DOGECOIN,
    "doge": Network.DOGECOIN,
    "bitcoin-cash": Network.BITCOIN_CASH,
    "bch": Network.BITCOIN_CASH,
    # EVM chains: an 0x address is scanned on the chain named here (Ethereum by default).
    "ethereum": Network.ETHEREUM,
    "eth": Network.ETHEREUM,
    "sepolia": Network.SEPOLIA,
    "polygon": Network.POLYGON,
    "matic": Network.POLYGON,
    "bsc": Network.BSC,
    "bnb": Network.BSC,
    "arbitrum": Network.ARBITRUM,
    "optimism": Network.OPTIMISM,
    "base": Network.BASE,
}
# Networks a provider can fetch today. Litecoin, Dogecoin and BCH keys already parse and
# derive (and `walletscan derive` lists them), but a scan would have nowhere to fetch from.
SCANNABLE_NETWORKS = frozenset(
    {
        Network.BITCOIN,
        Network.BITCOIN_TESTNET,
        # EVM: JSON-RPC (with the Otterscan and trace APIs) and Etherscan V2.
        Network.ETHEREUM,
        Network.SEPOLIA,
        Network.POLYGON,
        Network.BSC,
        Network.ARBITRUM,
        Network.OPTIMISM,
        Network.BASE,
    }
)

DEFAULT_BATCH_SIZE = 20


class ScanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str = Field(
        min_length=1,
        max_length=200_000,
        description="an extended public key (xpub/ypub/zpub/tpub/upub/vpub, …), an output "
        "descriptor (wpkh(…), tr(…), wsh(sortedmulti(…)), …), an address, or addresses one "
        "per line",
    )
    chain: str | None = Field(
        default=None,
        description="bitcoin or bitcoin-testnet; for 0x addresses the EVM chain: ethereum "
        "(default), sepolia, polygon, bsc, arbitrum, optimism or base",
    )
    chains: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=7,
        description="for an 0x address: several EVM chains scanned at once, one section each",
    )
    gap_limit: int = Field(default=20, ge=1, le=1000)
    script_types: list[str] | None = Field(
        default=None,
        max_length=6,
        description="for a bare xpub/tpub: the script types to scan (default: p2pkh, "
        "p2sh-p2wpkh and p2wpkh are probed); p2tr for taproot",
    )


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
    return _parse(body, network_of(body.chain))


def _parse(body: ScanRequest, network: Network | None) -> ParsedInput:
    parsed = parse_input(body.input, script_types=body.script_types, network=network)
    if parsed.network not in SCANNABLE_NETWORKS:
        raise InputError(
            f"this is a {NETWORKS[parsed.network].name} {parsed.input_type}: walletscan reads "
            f"it, but cannot scan {NETWORKS[parsed.network].name} yet (no data provider); "
            "`walletscan derive` lists its addresses"
        )
    return parsed


def tracks_of(parsed: ParsedInput) -> list[Track]:
    """One track per chain to derive: each probed script type × receive/change of an account
    key, or each chain of a descriptor (which carries the descriptor to derive it)."""
    return [
        Track(
            key=parsed.key or "",
            script_type=chain.script_type,
            branch=chain.branch,
            path_prefix=chain.path_prefix,
            descriptor=chain.descriptor,
        )
        for chain in parsed.chains
    ]


def build_scan_requested(
    parsed: ParsedInput, body: ScanRequest, *, owner_id: str, now: datetime
) -> ScanRequested:
    tracks = tracks_of(parsed)
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


def requested_networks(body: ScanRequest) -> list[Network | None]:
    """The chains asked for, in order, without repeats ([None]: detect from the input)."""
    if body.chains is not None and body.chain is not None:
        msg = "give either `chain` or `chains`, not both"
        raise InputError(msg)
    names = body.chains if body.chains is not None else [body.chain]
    networks: list[Network | None] = []
    for name in names:
        network = network_of(name)
        if network not in networks:
            networks.append(network)
    return networks


def plan_scans(
    body: ScanRequest, *, owner_id: str, now: datetime
) -> tuple[str, list[ScanRequested]]:
    """The id to answer with and the scans to request. Several chains make one group: the
    user sees one scan (the group id) whose sections are one ordinary scan per chain, so the
    same address on two chains never shares a read-model document."""
    networks = requested_networks(body)
    if len(networks) == 1:
        event = build_scan_requested(_parse(body, networks[0]), body, owner_id=owner_id, now=now)
        return event.scan_id, [event]
    evm = [n for n in networks if n is not None and family_of(n) is Family.EVM]
    if len(evm) != len(networks):
        msg = "several chains at once are for 0x addresses on EVM chains"
        raise InputError(msg)
    group_id = uuid.uuid4().hex
    events = []
    for position, network in enumerate(evm):
        parsed = _parse(body, network)
        event = build_scan_requested(parsed, body, owner_id=owner_id, now=now)
        events.append(
            event.model_copy(
                update={
                    "scan_id": f"{group_id}-{network.value}",
                    "group_id": group_id,
                    "group_position": position,
                }
            )
        )
    return group_id, events
