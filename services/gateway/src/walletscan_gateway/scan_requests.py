"""Turning what a user pasted into a `ScanRequested` event: pure, so every refusal can be
tested without a server."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from walletscan_contracts.chains import NETWORKS, Network
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
    parsed = parse_input(body.input, script_types=body.script_types, network=network_of(body.chain))
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
