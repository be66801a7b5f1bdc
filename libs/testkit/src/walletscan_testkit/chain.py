"""A tiny in-memory UTXO ledger to build consistent test worlds.

`SimChain` keeps transactions with real input/output links, so every view a provider simulator
serves (address stats, history, UTXOs) is derived from one ledger and is consistent by
construction. Txids are deterministic (double sha256 of the transaction's content), block
hashes are derived from the height and block times default to ``1_600_000_000 + height * 600``.

Addresses are taken as given: real addresses of the chain's network get their real output
script (so simulator responses carry a plausible ``scriptpubkey``); any other string is accepted
too (script type ``unknown``) so small tests can use names like ``"alice"``.

`expected_wallet_totals` recomputes wallet-level totals (ARCHITECTURE §5) straight from the
ledger, independently of any provider client or aggregator, for end-to-end assertions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from bip_utils import Base58Decoder, SegwitBech32Decoder
from walletscan_contracts.chains import Network

GENESIS_TIME = 1_600_000_000
BLOCK_INTERVAL = 600
COINBASE_TXID = "0" * 64
COINBASE_VOUT = 0xFFFFFFFF
SEQUENCE_FINAL = 0xFFFFFFFF
SEQUENCE_RBF = 0xFFFFFFFD


def default_block_time(height: int) -> int:
    return GENESIS_TIME + height * BLOCK_INTERVAL


def block_hash(height: int) -> str:
    """A deterministic, block-hash-looking hex string for a height (leading zeros like PoW)."""
    digest = hashlib.sha256(f"walletscan-sim-block:{height}".encode()).hexdigest()
    return "00000000" + digest[8:]


def _dsha256_hex(data: bytes) -> str:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()[::-1].hex()


# --------------------------------------------------------------------------- output scripts

_HRP = {Network.BITCOIN: "bc", Network.BITCOIN_TESTNET: "tb"}
_P2PKH_VERSION = {Network.BITCOIN: 0x00, Network.BITCOIN_TESTNET: 0x6F}
_P2SH_VERSION = {Network.BITCOIN: 0x05, Network.BITCOIN_TESTNET: 0xC4}
_HASH160_LEN = 20
_WITNESS_V0_KEYHASH_LEN = 20
_WITNESS_V0_SCRIPTHASH_LEN = 32
_TAPROOT_KEY_LEN = 32


@dataclass(frozen=True, slots=True)
class Script:
    """An output script in Esplora's vocabulary."""

    hex: str
    asm: str
    type: str  # p2pkh, p2sh, v0_p2wpkh, v0_p2wsh, v1_p2tr, op_return, unknown

    @property
    def is_segwit(self) -> bool:
        return self.type.startswith(("v0_", "v1_"))


def decode_address(address: str, network: Network) -> Script | None:
    """The output script of a real address of `network`, or None if it is not one."""
    hrp = _HRP[network]
    if address.lower().startswith(hrp + "1"):
        return _decode_segwit(address, hrp)
    return _decode_base58(address, network)


def _decode_segwit(address: str, hrp: str) -> Script | None:
    try:
        version, program = SegwitBech32Decoder.Decode(hrp, address)
    except Exception:  # bip_utils raises several unrelated error types
        return None
    prog = program.hex()
    kinds = {
        (0, _WITNESS_V0_KEYHASH_LEN): ("0014", "OP_0 OP_PUSHBYTES_20", "v0_p2wpkh"),
        (0, _WITNESS_V0_SCRIPTHASH_LEN): ("0020", "OP_0 OP_PUSHBYTES_32", "v0_p2wsh"),
        (1, _TAPROOT_KEY_LEN): ("5120", "OP_PUSHNUM_1 OP_PUSHBYTES_32", "v1_p2tr"),
    }
    kind = kinds.get((version, len(program)))
    if kind is None:
        return None
    prefix, asm, name = kind
    return Script(prefix + prog, f"{asm} {prog}", name)


def _decode_base58(address: str, network: Network) -> Script | None:
    try:
        raw = Base58Decoder.CheckDecode(address)
    except Exception:
        return None
    if len(raw) != 1 + _HASH160_LEN:
        return None
    version, h = raw[0], raw[1:].hex()
    if version == _P2PKH_VERSION[network]:
        return Script(
            f"76a914{h}88ac",
            f"OP_DUP OP_HASH160 OP_PUSHBYTES_20 {h} OP_EQUALVERIFY OP_CHECKSIG",
            "p2pkh",
        )
    if version == _P2SH_VERSION[network]:
        return Script(f"a914{h}87", f"OP_HASH160 OP_PUSHBYTES_20 {h} OP_EQUAL", "p2sh")
    return None


def _script_for(address: str | None, network: Network) -> Script:
    if address is None:
        return Script("6a", "OP_RETURN", "op_return")
    script = decode_address(address, network)
    if script is not None:
        return script
    # A test label rather than an address: still give it a stable, unique script.
    digest = hashlib.sha256(address.encode()).hexdigest()[:40]
    return Script(f"ff14{digest}", f"OP_INVALIDOPCODE OP_PUSHBYTES_20 {digest}", "unknown")


# --------------------------------------------------------------------------- ledger records


@dataclass(frozen=True, slots=True)
class Outpoint:
    txid: str
    vout: int


@dataclass(frozen=True, slots=True)
class SimOutput:
    address: str | None  # None for an OP_RETURN (data) output
    value: int
    script: Script


@dataclass(frozen=True, slots=True)
class SimInput:
    outpoint: Outpoint | None  # None for a coinbase-like input (coins from outside)
    prevout: SimOutput | None
    coinbase_data: str = ""

    @property
    def is_coinbase(self) -> bool:
        return self.outpoint is None


@dataclass(slots=True)
class SimTx:
    txid: str
    inputs: tuple[SimInput, ...]
    outputs: tuple[SimOutput, ...]
    fee: int
    seq: int  # insertion order; block order within a height
    height: int | None = None
    version: int = 2
    locktime: int = 0

    @property
    def confirmed(self) -> bool:
        return self.height is not None

    @property
    def is_coinbase(self) -> bool:
        return any(i.is_coinbase for i in self.inputs)

    @property
    def input_total(self) -> int:
        return sum(i.prevout.value for i in self.inputs if i.prevout is not None)

    @property
    def output_total(self) -> int:
        return sum(o.value for o in self.outputs)

    @property
    def size(self) -> int:
        """A plausible serialized size (legacy-style estimate)."""
        return 10 + 148 * len(self.inputs) + 34 * len(self.outputs)

    @property
    def weight(self) -> int:
        segwit_inputs = sum(
            1 for i in self.inputs if i.prevout is not None and i.prevout.script.is_segwit
        )
        return 4 * self.size - 3 * 107 * segwit_inputs

    def touches(self, address: str) -> bool:
        return any(o.address == address for o in self.outputs) or any(
            i.prevout is not None and i.prevout.address == address for i in self.inputs
        )

    def received_by(self, addresses: set[str] | frozenset[str]) -> int:
        return sum(o.value for o in self.outputs if o.address in addresses)

    def spent_by(self, addresses: set[str] | frozenset[str]) -> int:
        return sum(
            i.prevout.value
            for i in self.inputs
            if i.prevout is not None and i.prevout.address in addresses
        )


@dataclass(frozen=True, slots=True)
class AddressStats:
    """Esplora's ``{chain,mempool}_stats`` of one address."""

    tx_count: int
    funded_txo_count: int
    funded_txo_sum: int
    spent_txo_count: int
    spent_txo_sum: int


class ChainError(ValueError):
    """An invalid ledger operation (missing or spent input, unbalanced amounts, …)."""


# --------------------------------------------------------------------------- the ledger


class SimChain:
    def __init__(self, network: Network = Network.BITCOIN, *, tip_height: int = 0) -> None:
        self.network = network
        self._tip = tip_height
        self._txs: dict[str, SimTx] = {}
        self._spent_by: dict[Outpoint, str] = {}
        self._block_times: dict[int, int] = {}
        self._seq = 0
        self._fund_nonce = 0
        self._by_address: dict[str, list[SimTx]] = {}

    # ---- building

    @property
    def tip_height(self) -> int:
        return self._tip

    def fund(
        self, address: str, value: int, *, height: int | None = None, time: int | None = None
    ) -> Outpoint:
        """Pay `value` to `address` from outside the modelled world (a coinbase-like input).

        ``height=None`` leaves the transaction in the mempool (``mine`` confirms it); ``time``
        fixes the block time of ``height``."""
        if value <= 0:
            raise ChainError("fund value must be positive")
        self._fund_nonce += 1
        coinbase = SimInput(None, None, coinbase_data=f"{self._fund_nonce:08x}")
        tx = self._add((coinbase,), ((address, value),), fee=0, height=height, time=time, version=1)
        return Outpoint(tx.txid, 0)

    def send(
        self,
        inputs: list[Outpoint],
        outputs: list[tuple[str | None, int]],
        fee: int,
        *,
        height: int | None = None,
        time: int | None = None,
    ) -> str:
        """Spend `inputs` into `outputs` (address None = OP_RETURN output) paying `fee`.

        ``height=None`` puts the transaction in the mempool. ``time`` fixes the block time of
        ``height`` (default ``default_block_time(height)``)."""
        if not inputs:
            raise ChainError("a transaction needs inputs")
        if not outputs:
            raise ChainError("a transaction needs outputs")
        if len(set(inputs)) != len(inputs):
            raise ChainError("duplicate input")
        if fee < 0 or any(v < 0 for _, v in outputs):
            raise ChainError("negative amount")
        sim_inputs: list[SimInput] = []
        for op in inputs:
            parent = self._txs.get(op.txid)
            if parent is None or not 0 <= op.vout < len(parent.outputs):
                raise ChainError(f"unknown input {op.txid}:{op.vout}")
            if op in self._spent_by:
                raise ChainError(f"input {op.txid}:{op.vout} already spent")
            prevout = parent.outputs[op.vout]
            if prevout.address is None:
                raise ChainError("an OP_RETURN output cannot be spent")
            if height is not None and (parent.height is None or parent.height > height):
                raise ChainError(f"input {op.txid}:{op.vout} is not confirmed by height {height}")
            sim_inputs.append(SimInput(op, prevout))
        in_total = sum(i.prevout.value for i in sim_inputs if i.prevout is not None)
        out_total = sum(v for _, v in outputs)
        if in_total != out_total + fee:
            raise ChainError(f"inputs {in_total} != outputs {out_total} + fee {fee}")
        tx = self._add(tuple(sim_inputs), tuple(outputs), fee=fee, height=height, time=time)
        for op in inputs:
            self._spent_by[op] = tx.txid
        return tx.txid

    def mine(self, height: int, *, time: int | None = None) -> list[str]:
        """Confirm every mempool transaction at `height`; the tip becomes at least `height`."""
        mempool = sorted((t for t in self._txs.values() if t.height is None), key=lambda t: t.seq)
        for tx in mempool:
            for i in tx.inputs:
                if i.outpoint is None:
                    continue
                parent = self._txs[i.outpoint.txid]
                if parent.height is not None and parent.height > height:
                    raise ChainError(f"{tx.txid} spends an output confirmed above {height}")
        self._set_block_time(height, time)
        for tx in mempool:
            tx.height = height
        self._tip = max(self._tip, height)
        return [t.txid for t in mempool]

    def _set_block_time(self, height: int, time: int | None) -> None:
        """Fix the time of block `height` (the default one when `time` is None)."""
        if time is None:
            self._block_times.setdefault(height, default_block_time(height))
            return
        known = self._block_times.get(height)
        if known is not None and known != time:
            raise ChainError(f"block {height} already has time {known}")
        self._block_times[height] = time

    def _add(
        self,
        inputs: tuple[SimInput, ...],
        outputs: tuple[tuple[str | None, int], ...],
        *,
        fee: int,
        height: int | None,
        time: int | None,
        version: int = 2,
    ) -> SimTx:
        if height is None and time is not None:
            raise ChainError("time needs a height (mempool transactions have no block time)")
        if height is not None:
            if height < 0:
                raise ChainError("negative height")
            self._set_block_time(height, time)
        sim_outputs = tuple(SimOutput(a, v, _script_for(a, self.network)) for a, v in outputs)
        content = "|".join(
            [
                self.network.value,
                str(version),
                *(
                    f"in:{i.outpoint.txid}:{i.outpoint.vout}"
                    if i.outpoint is not None
                    else f"cb:{i.coinbase_data}"
                    for i in inputs
                ),
                *(f"out:{o.script.hex}:{o.address}:{o.value}" for o in sim_outputs),
                f"fee:{fee}",
            ]
        )
        txid = _dsha256_hex(content.encode())
        if txid in self._txs:  # only possible for identical content, which inputs rule out
            raise ChainError(f"duplicate transaction {txid}")
        self._seq += 1
        tx = SimTx(txid, inputs, sim_outputs, fee, self._seq, height, version=version)
        self._txs[txid] = tx
        touched = {o.address for o in sim_outputs} | {
            i.prevout.address for i in inputs if i.prevout is not None
        }
        for address in touched:
            if address is not None:
                self._by_address.setdefault(address, []).append(tx)
        if height is not None:
            self._tip = max(self._tip, height)
        return tx

    # ---- queries

    @property
    def tx_count(self) -> int:
        """How many transactions the ledger holds (changes whenever it grows)."""
        return len(self._txs)

    def tx(self, txid: str) -> SimTx | None:
        return self._txs.get(txid)

    def all_txs(self) -> list[SimTx]:
        """Every transaction in insertion order."""
        return sorted(self._txs.values(), key=lambda t: t.seq)

    def block_time(self, height: int) -> int:
        return self._block_times.get(height, default_block_time(height))

    def spender(self, outpoint: Outpoint) -> str | None:
        return self._spent_by.get(outpoint)

    def knows(self, address: str) -> bool:
        """Whether any transaction touches `address`."""
        return address in self._by_address

    def address_txs(self, address: str) -> list[SimTx]:
        """Every tx touching `address`, in insertion order."""
        return list(self._by_address.get(address, ()))

    def chain_txs(self, address: str) -> list[SimTx]:
        """Confirmed txs touching `address`, newest first (height, then block order)."""
        txs = [t for t in self._by_address.get(address, ()) if t.height is not None]
        return sorted(txs, key=lambda t: (t.height or 0, t.seq), reverse=True)

    def mempool_txs(self, address: str) -> list[SimTx]:
        """Unconfirmed txs touching `address`, newest first."""
        txs = [t for t in self._by_address.get(address, ()) if t.height is None]
        return sorted(txs, key=lambda t: t.seq, reverse=True)

    def utxos(self, address: str) -> list[tuple[Outpoint, SimOutput, SimTx]]:
        """Unspent outputs of `address` (also unconfirmed ones; not those spent in the mempool),
        oldest first."""
        found: list[tuple[Outpoint, SimOutput, SimTx]] = []
        for tx in self._by_address.get(address, ()):
            for n, out in enumerate(tx.outputs):
                op = Outpoint(tx.txid, n)
                if out.address == address and op not in self._spent_by:
                    found.append((op, out, tx))
        return found

    def stats(self, address: str, *, confirmed: bool) -> AddressStats:
        """Esplora's ``chain_stats`` (confirmed=True) or ``mempool_stats`` of `address`."""
        funded_count = funded_sum = spent_count = spent_sum = tx_count = 0
        for tx in self._by_address.get(address, ()):
            if tx.confirmed != confirmed:
                continue
            tx_count += 1
            for out in tx.outputs:
                if out.address == address:
                    funded_count += 1
                    funded_sum += out.value
            for i in tx.inputs:
                if i.prevout is not None and i.prevout.address == address:
                    spent_count += 1
                    spent_sum += i.prevout.value
        return AddressStats(tx_count, funded_count, funded_sum, spent_count, spent_sum)

    def funded_sum(self, address: str) -> int:
        return sum(self.stats(address, confirmed=c).funded_txo_sum for c in (True, False))

    def spent_sum(self, address: str) -> int:
        return sum(self.stats(address, confirmed=c).spent_txo_sum for c in (True, False))

    def balance(self, address: str) -> int:
        return sum(out.value for _, out, _ in self.utxos(address))


# --------------------------------------------------------------------------- expectations


@dataclass(frozen=True, slots=True)
class WalletTotals:
    """Wallet-level totals per ARCHITECTURE §5/§10 (totals include unconfirmed activity)."""

    balance: int
    confirmed_balance: int
    unconfirmed_balance: int
    total_received: int
    total_sent: int
    total_fees: int
    tx_count: int
    confirmed_tx_count: int
    used_addresses: frozenset[str]
    first_seen: int | None  # block time of the first confirmed wallet tx
    last_seen: int | None
    deltas: dict[str, int] = field(default_factory=dict)  # txid -> wallet delta


def expected_wallet_totals(chain: SimChain, wallet_addresses: Iterable[str]) -> WalletTotals:
    """Recompute a wallet's totals straight from the ledger (independent of any client).

    Wallet delta of a tx = outputs paying the wallet - inputs spending from the wallet;
    received = Σ positive deltas; sent = Σ |negative deltas| (fees included);
    fees = Σ the wallet's share of each fee (proportional to the inputs it funded)."""
    wallet = frozenset(wallet_addresses)
    received = sent = fees = 0
    confirmed_balance = 0
    tx_count = confirmed_count = 0
    used: set[str] = set()
    times: list[int] = []
    deltas: dict[str, int] = {}
    for tx in chain.all_txs():
        touched = {o.address for o in tx.outputs if o.address in wallet} | {
            i.prevout.address
            for i in tx.inputs
            if i.prevout is not None and i.prevout.address in wallet
        }
        if not touched:
            continue
        used.update(a for a in touched if a is not None)
        delta = tx.received_by(wallet) - tx.spent_by(wallet)
        deltas[tx.txid] = delta
        tx_count += 1
        if delta > 0:
            received += delta
        else:
            sent += -delta
        wallet_in = tx.spent_by(wallet)
        if not tx.is_coinbase and wallet_in:
            # The wallet pays the fee in proportion to the inputs it funded (all of it when
            # every input is its own), rounded down: ARCHITECTURE §5 as walletscan applies it.
            fees += tx.fee * wallet_in // tx.input_total
        if tx.height is not None:
            confirmed_count += 1
            confirmed_balance += delta
            times.append(chain.block_time(tx.height))
    # The balance is taken from the UTXO set, not from the deltas: a cross-check of the fold.
    balance = sum(chain.balance(a) for a in wallet)
    if balance != received - sent:
        raise AssertionError(f"ledger inconsistency: utxo balance {balance} != Σ deltas")
    return WalletTotals(
        balance=balance,
        confirmed_balance=confirmed_balance,
        unconfirmed_balance=balance - confirmed_balance,
        total_received=received,
        total_sent=sent,
        total_fees=fees,
        tx_count=tx_count,
        confirmed_tx_count=confirmed_count,
        used_addresses=frozenset(used),
        first_seen=min(times) if times else None,
        last_seen=max(times) if times else None,
        deltas=deltas,
    )
