"""What `walletscan derive` prints: the addresses an input stands for, row by row. Pure, so
the command line stays a thin shell around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from walletscan_contracts.chains import Network

from walletscan_keys.derive import derive_addresses
from walletscan_keys.descriptors import derive_descriptor_addresses
from walletscan_keys.errors import InputError
from walletscan_keys.parsing import ParsedInput, parse_input

Branch = Literal["receive", "change", "both"]
BRANCHES: dict[Branch, tuple[int, ...]] = {"receive": (0,), "change": (1,), "both": (0, 1)}

CHAIN_NAMES: dict[str, Network] = {
    "bitcoin": Network.BITCOIN,
    "btc": Network.BITCOIN,
    "mainnet": Network.BITCOIN,
    "testnet": Network.BITCOIN_TESTNET,
    "bitcoin-testnet": Network.BITCOIN_TESTNET,
    "litecoin": Network.LITECOIN,
    "ltc": Network.LITECOIN,
    "dogecoin": Network.DOGECOIN,
    "doge": Network.DOGECOIN,
    "bitcoin-cash": Network.BITCOIN_CASH,
    "bch": Network.BITCOIN_CASH,
}


@dataclass(frozen=True, slots=True)
class AddressRow:
    branch: int | None  # 0 receive, 1 change; None for addresses given directly
    index: int
    path: str
    script_type: str
    address: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def chain_named(name: str | None) -> Network | None:
    if name is None or not name.strip():
        return None
    try:
        return CHAIN_NAMES[name.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(CHAIN_NAMES))
        raise InputError(f"unknown chain {name!r}; use one of {known}") from None


def list_addresses(
    text: str,
    *,
    branch: Branch = "both",
    start: int = 0,
    count: int = 20,
    script_types: Sequence[str] | None = None,
    network: Network | None = None,
    legacy_format: bool = False,
) -> tuple[ParsedInput, list[AddressRow]]:
    """Parse `text` like a scan would and list its addresses: every script type (probed or
    chosen) and the chosen chains, indexes start .. start+count-1."""
    if branch not in BRANCHES:
        raise InputError(f"branch must be receive, change or both, not {branch!r}")
    parsed = parse_input(text, script_types=script_types or None, network=network)
    wanted = BRANCHES[branch]
    rows: list[AddressRow] = []
    if parsed.kind in ("address", "addresses"):
        rows = [
            AddressRow(None, i, "", a.script_type.value, a.address)
            for i, a in enumerate(parsed.addresses)
        ]
    for chain in parsed.chains:
        if chain.branch not in wanted:
            continue
        if chain.descriptor is not None:
            derived = derive_descriptor_addresses(
                chain.descriptor, start, count, legacy_format=legacy_format
            )
        else:
            assert parsed.key is not None
            derived = derive_addresses(
                parsed.key,
                chain.script_type,
                chain.branch,
                start,
                count,
                network=parsed.network,
                legacy_format=legacy_format,
            )
        rows += [
            AddressRow(
                chain.branch,
                d.index,
                f"{chain.path_prefix}/{d.path_suffix}",
                chain.script_type.value,
                d.address,
            )
            for d in derived
        ]
    return parsed, rows
