"""Derivation speed on one core: 10,000 BIP84 receive addresses (m/84'/0'/0'/0/i) of the BIP84
test vector zpub, three ways, side by side in one run:

1. walletscan_keys.derive_addresses (what the derivation service runs);
2. a plain bip_utils Bip84 loop (coincurve backend; ~5x slower without it);
3. the lowest-level path written here: HMAC-SHA512 + coincurve tweak-add + HASH160 + a
   textbook bech32 encoder, no validation or objects;
4. the same loop with walletscan's table-driven bech32 encoder: the floor for pure Python.

All three must produce the same addresses. Prints addresses per second and the ratios.

    .venv/bin/python bench/derivation.py [count] [runs]
"""

from __future__ import annotations

import hashlib
import hmac
import sys
import time
from collections.abc import Callable

import coincurve
from bip_utils import Bip44Changes, Bip84, Bip84Coins
from bip_utils.ecc.secp256k1 import secp256k1_keys_coincurve  # noqa: F401  (fails without it)
from walletscan_keys import derive_addresses
from walletscan_keys.derive import node_at
from walletscan_keys.encoding import b58check_decode, segwit_encode

ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNf"
    "E3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
)
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def ours(count: int) -> list[str]:
    node_at.cache_clear()  # include the branch derivation, as a fresh scan would
    return [a.address for a in derive_addresses(ZPUB, "p2wpkh", 0, 0, count)]


def bip_utils_loop(count: int) -> list[str]:
    chain = Bip84.FromExtendedKey(ZPUB, Bip84Coins.BITCOIN).Change(Bip44Changes.CHAIN_EXT)
    return [chain.AddressIndex(i).PublicKey().ToAddress() for i in range(count)]


# --- the lowest-level path --------------------------------------------------------------


def _polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= GEN[i] if (top >> i) & 1 else 0
    return chk


def _bech32_p2wpkh(program: bytes) -> str:
    data = [0]  # witness version 0
    acc = bits = 0
    for byte in program:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp_expanded = [3, 3, 0, 2, 3]  # "bc"
    mod = _polymod(hrp_expanded + data + [0] * 6) ^ 1
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(CHARSET[d] for d in data + checksum)


def lowest_level(count: int, encode: Callable[[bytes], str] = _bech32_p2wpkh) -> list[str]:
    raw = b58check_decode(ZPUB)
    chain_code, key = raw[13:45], raw[45:78]
    digest = hmac.digest(chain_code, key + (0).to_bytes(4, "big"), "sha512")
    branch = coincurve.PublicKey(key).add(digest[:32])
    branch_key, branch_chain = branch.format(), digest[32:]
    out = []
    for i in range(count):
        tweak = hmac.digest(branch_chain, branch_key + i.to_bytes(4, "big"), "sha512")[:32]
        child = branch.add(tweak).format()
        h160 = hashlib.new("ripemd160", hashlib.sha256(child).digest()).digest()
        out.append(encode(h160))
    return out


def lowest_level_table_bech32(count: int) -> list[str]:
    """The same loop with walletscan's table-driven bech32 (10 bits per step): the true floor
    for pure Python, since the textbook encoder costs more than the elliptic-curve step."""
    return lowest_level(count, lambda h160: segwit_encode("bc", 0, h160))


def best_times(
    rows: list[tuple[str, Callable[[int], list[str]]]], count: int, runs: int
) -> dict[str, tuple[float, list[str]]]:
    """Best of `runs` per implementation, the implementations interleaved round by round so
    that load from other processes on a shared machine hits them alike."""
    best: dict[str, tuple[float, list[str]]] = {}
    for _ in range(runs):
        for name, fn in rows:
            t0 = time.perf_counter()
            result = fn(count)
            elapsed = time.perf_counter() - t0
            if name not in best or elapsed < best[name][0]:
                best[name] = (elapsed, result)
    return best


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    try:
        hashlib.new("ripemd160")
        lowest: Callable[[int], list[str]] | None = lowest_level
    except ValueError:  # OpenSSL 3 without the legacy provider
        lowest = None
    ours(100)  # warm up imports and caches
    rows = [("walletscan_keys.derive_addresses", ours), ("bip_utils Bip84 loop", bip_utils_loop)]
    if lowest is not None:
        rows.append(("floor: coincurve+hash160+bech32", lowest))
        rows.append(("floor with table bech32", lowest_level_table_bech32))
    results = best_times(rows, count, runs)
    addresses = [r[1] for r in results.values()]
    assert all(a == addresses[0] for a in addresses), "the implementations disagree"
    assert addresses[0][0] == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    print(f"BIP84 receive addresses, {count:,} each, one core, best of {runs} runs")
    print(f"{'implementation':<38}{'seconds':>9}{'addresses/s':>14}{'vs ours':>9}")
    t_ours = results["walletscan_keys.derive_addresses"][0]
    for name, (seconds, _) in results.items():
        print(f"{name:<38}{seconds:>9.3f}{count / seconds:>14,.0f}{t_ours / seconds:>8.2f}x")
    print("results identical")


if __name__ == "__main__":
    main()
