"""A small ledger with every case the normalisation must agree on across providers."""

from __future__ import annotations

from dataclasses import dataclass

from walletscan_contracts.chains import Network
from walletscan_testkit.chain import SimChain

# Real mainnet addresses (their scripts are decoded for real by every simulator and client).
A = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"  # p2wpkh
B = "1wiz18xYmhRX6xStj2b9t1rwWX4GKUgpv"  # p2pkh
C = "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"  # p2tr
D = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"  # p2sh
OUT = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # someone else
UNUSED = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"


@dataclass
class World:
    chain: SimChain
    addresses: list[str]


def build_world() -> World:
    chain = SimChain(Network.BITCOIN, tip_height=200)
    h = 201
    # A busy address: 60 payments (Esplora pages of 25, Tatum pages of 50).
    busy = [chain.fund(A, 1_000 + i, height=h + i) for i in range(60)]
    h += 60
    # Multi-input spend from A and B to an outsider with change to C, plus an OP_RETURN.
    b = chain.fund(B, 500_000, height=h)
    h += 1
    chain.send(
        [busy[0], busy[1], b],
        [(OUT, 400_000), (C, 1_000 + 1_001 + 500_000 - 400_000 - 2_000), (None, 0)],
        fee=2_000,
        height=h,
    )
    h += 1
    # A self-transfer C -> D, and a payment from an outsider's coin that also pays D.
    c_out, c_value, _ = chain.utxos(C)[0]
    chain.send([c_out], [(D, c_value.value - 700)], fee=700, height=h)
    h += 1
    o = chain.fund(OUT, 90_000, height=h)
    d_out, d_value, _ = chain.utxos(D)[0]
    chain.send([o, d_out], [(D, 90_000 + d_value.value - 301)], fee=301, height=h + 1)
    h += 2
    chain.mine(h)
    # Mempool: D spends to B unconfirmed, and A receives unconfirmed.
    d_out, d_value, _ = chain.utxos(D)[0]
    chain.send([d_out], [(B, d_value.value - 1_000)], fee=1_000)
    chain.fund(A, 7_777)
    return World(chain, [A, B, C, D, UNUSED])
