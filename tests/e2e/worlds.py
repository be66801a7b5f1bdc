"""Simulated blockchains with wallets whose exact totals are known independently.

Addresses are derived with bip_utils here, not with walletscan's own derivation, so a
derivation bug cannot hide behind matching expectations."""

from __future__ import annotations

from dataclasses import dataclass, field

from bip_utils import Bip44Changes, Bip84, Bip84Coins
from walletscan_contracts.chains import Network
from walletscan_testkit.chain import Outpoint, SimChain

# BIP84 test vector account key (m/84'/0'/0' of the BIP84 mnemonic).
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31"
    "mGDtKsAYz2oz2AGutZYs"
)
# Someone else's wallet (counterparties of our payments), from a fixed test seed.
OUTSIDER_SEED = bytes(range(32))


# Valid addresses of each kind a user may paste (from BIP173, BIP86 and well-known examples).
TYPED_ADDRESSES = {
    "p2pkh": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "p2sh": "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "p2wpkh": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "p2wsh": "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
    "p2tr": "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr",
    "testnet-p2wpkh": "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
}


def outsider_addresses(count: int) -> list[str]:
    account = Bip84.FromSeed(OUTSIDER_SEED, Bip84Coins.BITCOIN).Purpose().Coin().Account(0)
    external = account.Change(Bip44Changes.CHAIN_EXT)
    return [external.AddressIndex(i).PublicKey().ToAddress() for i in range(count)]


def derive(zpub: str, branch: int, count: int) -> list[str]:
    account = Bip84.FromExtendedKey(zpub, Bip84Coins.BITCOIN)
    change = account.Change(Bip44Changes.CHAIN_EXT if branch == 0 else Bip44Changes.CHAIN_INT)
    return [change.AddressIndex(i).PublicKey().ToAddress() for i in range(count)]


@dataclass
class Wallet:
    """The world: a chain, the wallet's receive/change addresses and what should be found."""

    chain: SimChain
    receive: list[str]
    change: list[str]
    outsiders: list[str]
    far_address: str  # funded 21 addresses after the last used receive address
    busy_address: str  # more than 60 transactions
    unconfirmed_txid: str
    self_transfer_txid: str
    notes: dict[str, str] = field(default_factory=dict)

    def addresses(self, *, include_far: bool) -> list[str]:
        found = [*self.receive, *self.change]
        return found if include_far else [a for a in found if a != self.far_address]


def build_wallet() -> Wallet:
    chain = SimChain(Network.BITCOIN, tip_height=100)
    receive = derive(ZPUB, 0, 40)
    change = derive(ZPUB, 1, 10)
    outsiders = outsider_addresses(10)
    height = 101

    # r0: a busy address, 70 incoming payments over many blocks and months.
    busy: list[Outpoint] = []
    for i in range(70):
        busy.append(chain.fund(receive[0], 10_000 + i, height=height + i * 300))
    height += 70 * 300

    # r1 receives, then pays an outsider with change back to c0.
    r1 = chain.fund(receive[1], 2_000_000, height=height)
    height += 1
    pay = chain.send(
        [r1], [(outsiders[0], 1_500_000), (change[0], 499_000)], fee=1_000, height=height
    )
    height += 1

    # A self-transfer r2 -> r3: one transaction, costs only the fee.
    r2 = chain.fund(receive[2], 800_000, height=height)
    height += 1
    self_transfer = chain.send([r2], [(receive[3], 799_500)], fee=500, height=height)
    height += 1

    # Consolidation of three wallet outputs (two of r0, the change of c0) into r4.
    consolidate = chain.send(
        [busy[0], busy[1], Outpoint(pay, 1)],
        [(receive[4], 10_000 + 10_001 + 499_000 - 700)],
        fee=700,
        height=height,
    )
    height += 1

    # c1 receives change from a later spend of r4 to an outsider; c2 stays unused.
    chain.send(
        [Outpoint(consolidate, 0)],
        [(outsiders[1], 300_000), (change[1], 10_000 + 10_001 + 499_000 - 700 - 300_000 - 900)],
        fee=900,
        height=height,
    )
    height += 1

    # Outsiders trade among themselves: never part of the wallet.
    o = chain.fund(outsiders[2], 5_000_000, height=height)
    chain.send([o], [(outsiders[3], 4_999_000)], fee=1_000, height=height + 1)
    height += 2

    # Funds 21 addresses after the last used receive index (5): index 26.
    chain.fund(receive[26], 123_456, height=height)
    height += 1
    chain.mine(height)

    # Single addresses of every script type (and a testnet one), each paid once and spending
    # part of it on: scanned one by one through the API.
    for n, address in enumerate(TYPED_ADDRESSES.values()):
        coin = chain.fund(address, 50_000 + n, height=height)
        chain.send(
            [coin], [(outsiders[4], 20_000), (address, 29_000 + n)], fee=1_000, height=height + 1
        )
    height += 2
    chain.mine(height)

    # An unconfirmed payment to r5 (last used receive index 5).
    unconfirmed = chain.fund(receive[5], 42_000)

    return Wallet(
        chain=chain,
        receive=receive,
        change=change,
        outsiders=outsiders,
        far_address=receive[26],
        busy_address=receive[0],
        unconfirmed_txid=unconfirmed.txid,
        self_transfer_txid=self_transfer,
    )
