"""Derivation speed: walletscan_keys.derive_addresses vs a plain bip_utils Bip84 loop.

Derives 10,000 receive addresses (m/84'/0'/0'/0/i) of the BIP84 test vector zpub both ways,
checks they agree, and prints addresses per second side by side.

    .venv/bin/python bench/derivation.py [count] [runs]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from bip_utils import Bip44Changes, Bip84, Bip84Coins
from walletscan_keys import derive_addresses
from walletscan_keys.derive import _branch_node

ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNf"
    "E3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
)


def ours(count: int) -> list[str]:
    _branch_node.cache_clear()  # include the branch derivation, as a fresh scan would
    return [a.address for a in derive_addresses(ZPUB, "p2wpkh", 0, 0, count)]


def bip_utils_loop(count: int) -> list[str]:
    chain = Bip84.FromExtendedKey(ZPUB, Bip84Coins.BITCOIN).Change(Bip44Changes.CHAIN_EXT)
    return [chain.AddressIndex(i).PublicKey().ToAddress() for i in range(count)]


def timed(fn: Callable[[int], list[str]], count: int, runs: int) -> tuple[float, list[str]]:
    """Best of `runs` (the machine may be shared: the best run is the least disturbed one)."""
    best = float("inf")
    result: list[str] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn(count)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    ours(100)  # warm up imports and caches
    t_ours, a_ours = timed(ours, count, runs)
    t_bip, a_bip = timed(bip_utils_loop, count, runs)
    assert a_ours == a_bip, "the two derivations disagree"
    assert a_ours[0] == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    print(f"BIP84 receive addresses, {count:,} each, one core, best of {runs} runs")
    print(f"{'implementation':<34}{'seconds':>10}{'addresses/s':>14}")
    print(f"{'walletscan_keys.derive_addresses':<34}{t_ours:>10.3f}{count / t_ours:>14,.0f}")
    print(f"{'bip_utils Bip84 loop':<34}{t_bip:>10.3f}{count / t_bip:>14,.0f}")
    print(f"speed-up: {t_bip / t_ours:.1f}x; results identical")


if __name__ == "__main__":
    main()
