"""Payloads of scan commands and events. Types carry a major version; changes within one are
additive only (ARCHITECTURE §4)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from walletscan_contracts.chains import Network, ScriptType

SOURCE_PREFIX = "walletscan/"


class EventType(StrEnum):
    SCAN_REQUESTED = "walletscan.scan.requested.v1"
    SCAN_DERIVE = "walletscan.scan.derive.v1"
    SCAN_DERIVED = "walletscan.scan.derived.v1"
    SCAN_FETCH = "walletscan.scan.fetch.v1"
    SCAN_FETCHED = "walletscan.scan.fetched.v1"
    SCAN_COMPLETED = "walletscan.scan.completed.v1"
    SCAN_FAILED = "walletscan.scan.failed.v1"
    SCAN_REPORTED = "walletscan.scan.reported.v1"
    SCAN_PROGRESS = "walletscan.scan.progress.v1"
    AUDIT = "walletscan.audit.v1"


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# BIP44 change level: 0 receive (external chain), 1 change (internal chain).
RECEIVE = 0
CHANGE = 1


class Track(Payload):
    """One derivation chain of a scan: an account key, a script type and a branch."""

    key: str = Field(description="account-level extended public key as the user gave it")
    script_type: ScriptType
    branch: int = Field(ge=0, le=1)
    path_prefix: str = Field(description="derivation path of the account key, e.g. m/84'/0'/0'")
    descriptor: str | None = Field(
        default=None,
        description="single-chain output descriptor that derives this track (multisig, "
        "tr(), key origins); None: derive from `key` with `script_type`",
    )

    @property
    def id(self) -> str:
        return f"{self.script_type.value}-{self.branch}"


ADDRESS_TRACK = "addr"  # the track id of addresses given directly (no derivation)


class WatchedAddress(Payload):
    address: str
    script_type: ScriptType | None = None


class ScanRequested(Payload):
    scan_id: str
    owner_id: str
    input_type: str = Field(description="xpub, ypub, zpub, tpub, upub, vpub, address, addresses")
    input_display: str = Field(description="the input shortened for display and logs")
    network: Network
    gap_limit: int = Field(default=20, ge=1, le=1000)
    batch_size: int = Field(default=20, ge=1, le=1000)
    tracks: list[Track] = Field(default_factory=list)
    addresses: list[WatchedAddress] = Field(default_factory=list)
    requested_at: datetime
    group_id: str | None = Field(
        default=None,
        description="set when one request scans an address on several chains: the scan the "
        "user sees, with one scan per chain as its sections",
    )
    group_position: int = Field(default=0, ge=0, description="this chain's place in the group")


class DeriveBatch(Payload):
    """Command: derive addresses [start, start+count) of one track."""

    scan_id: str
    network: Network
    track: Track
    start: int = Field(ge=0)
    count: int = Field(ge=1, le=1000)
    resume: int = Field(
        default=0, ge=0, description="n-th resumption of a stalled scan (0: first request)"
    )


class DerivedAddress(Payload):
    address: str
    script_type: ScriptType | None = None
    track_id: str
    branch: int | None = None
    index: int
    path: str | None = None


class AddressesDerived(Payload):
    scan_id: str
    network: Network
    track_id: str
    start: int = Field(ge=0, description="index of the first address of this batch")
    addresses: list[DerivedAddress]


class FetchAddress(Payload):
    """Command: fetch one address's summary, history and UTXOs from a provider."""

    scan_id: str
    network: Network
    address: str
    track_id: str
    index: int
    attempts: list[str] = Field(default_factory=list, description="providers already tried")
    resume: int = Field(
        default=0, ge=0, description="n-th resumption of a stalled scan (0: first request)"
    )
    failures: list[str] = Field(
        default_factory=list,
        description="why each provider in `attempts` could not serve it (same order)",
    )


class AddressTx(Payload):
    """One transaction as seen from one address (ARCHITECTURE §5), integer base units."""

    txid: str
    received: int = Field(ge=0, description="sum of this tx's outputs paying this address")
    spent: int = Field(ge=0, description="sum of this tx's inputs spending from this address")
    fee: int = Field(ge=0, description="the whole transaction's fee")
    input_total: int = Field(ge=0, description="sum of all the transaction's input values")
    block_height: int | None = None
    block_time: int | None = Field(default=None, description="unix seconds; None if unconfirmed")

    @property
    def delta(self) -> int:
        return self.received - self.spent

    @property
    def confirmed(self) -> bool:
        return self.block_height is not None


class AddressSummary(Payload):
    """What the provider says about the address as a whole; used for reconciliation."""

    address: str
    chain_funded: int = Field(ge=0)
    chain_spent: int = Field(ge=0)
    mempool_funded: int = Field(ge=0)
    mempool_spent: int = Field(ge=0)
    chain_tx_count: int = Field(ge=0)
    mempool_tx_count: int = Field(ge=0)

    @property
    def confirmed_balance(self) -> int:
        return self.chain_funded - self.chain_spent

    @property
    def balance(self) -> int:
        return self.confirmed_balance + self.mempool_funded - self.mempool_spent

    @property
    def tx_count(self) -> int:
        return self.chain_tx_count + self.mempool_tx_count


class Utxo(Payload):
    txid: str
    vout: int = Field(ge=0)
    value: int = Field(ge=0)
    block_height: int | None = None


# --- EVM (account chains) ------------------------------------------------------------------
# Wei and token amounts exceed int64 (10,000 ETH is 10^22 wei), which MongoDB cannot store and
# JavaScript cannot read exactly, so EVM amounts travel and are stored as decimal strings
# (ARCHITECTURE §5); the accounting turns them into Python ints to add them up.

BaseUnitsText = Annotated[
    str, Field(pattern=r"^(0|[1-9][0-9]{0,77})$", description="non-negative integer, decimal")
]
EvmAddressText = Annotated[str, Field(pattern=r"^0x[0-9a-f]{40}$", description="lower-case")]


class EvmTx(Payload):
    """One transaction's native (ETH, POL, BNB…) effect on one address, normalised by the
    provider: delta = received − sent − fee. `txid` is the transaction hash, or
    ``GENESIS_<address>`` for a genesis allocation (Etherscan's pseudo-row), at block 0."""

    txid: str
    block_height: int = Field(ge=0)
    block_time: int | None = Field(default=None, description="unix seconds")
    position: int | None = Field(default=None, ge=0, description="index in its block")
    from_address: str | None = Field(default=None, description="the transaction's sender")
    to_address: str | None = Field(default=None, description="its recipient; None: creation")
    value: BaseUnitsText = Field(default="0", description="the transaction's own value")
    failed: bool = Field(default=False, description="reverted: gas paid, no value moved")
    received: BaseUnitsText = Field(description="value that reached the address (tx + internal)")
    sent: BaseUnitsText = Field(description="value that left the address, without the fee")
    fee: BaseUnitsText = Field(description="gas paid by the address: 0 unless it sent the tx")
    internal: bool = Field(default=False, description="value moved by calls inside the tx")

    @property
    def delta(self) -> int:
        return int(self.received) - int(self.sent) - int(self.fee)


class TokenTransfer(Payload):
    """One ERC-20 Transfer event that names the address as sender or receiver."""

    txid: str
    log_index: int | None = Field(default=None, ge=0, description="None: not given (Etherscan)")
    token: EvmAddressText
    from_address: EvmAddressText
    to_address: EvmAddressText
    value: BaseUnitsText = Field(description="in the token's base units")
    block_height: int = Field(ge=0)
    block_time: int | None = None
    position: int | None = Field(default=None, ge=0)

    @property
    def key(self) -> str:
        """Natural key: the log index where known; otherwise what identifies the row."""
        if self.log_index is not None:
            return f"{self.txid}:{self.log_index}"
        return f"{self.txid}:{self.token}:{self.from_address}:{self.to_address}:{self.value}"


class TokenBalance(Payload):
    """A token the address touched: its metadata and the balance the chain reports."""

    token: EvmAddressText
    symbol: str | None = None
    name: str | None = None
    decimals: int | None = Field(default=None, ge=0, le=255)
    balance: BaseUnitsText | None = Field(
        default=None, description="balanceOf at `EvmAccount.block_height`; None: not known"
    )


class EvmAccount(Payload):
    """What the chain says about the account as a whole; used for reconciliation."""

    address: EvmAddressText
    balance: BaseUnitsText = Field(description="native balance at `block_height`")
    nonce: int | None = Field(default=None, ge=0, description="transactions sent (EOA)")
    block_height: int = Field(ge=0, description="the block the history and balances end at")


class EvmActivity(Payload):
    """The EVM part of a fetched chunk. Chunk 0 carries `account` and `tokens`; every chunk
    may carry native transactions and token transfers."""

    account: EvmAccount | None = None
    txs: list[EvmTx] = Field(default_factory=list)
    token_transfers: list[TokenTransfer] = Field(default_factory=list)
    tokens: list[TokenBalance] = Field(default_factory=list)


class AddressFetched(Payload):
    """Event: one chunk of an address's history. Chunk 0 carries the UTXOs."""

    scan_id: str
    provider: str
    network: Network
    address: str
    track_id: str
    index: int
    chunk: int = Field(ge=0)
    chunks: int = Field(ge=1)
    tip_height: int = Field(ge=0)
    summary: AddressSummary
    txs: list[AddressTx] = Field(default_factory=list)
    utxos: list[Utxo] = Field(default_factory=list)
    # EVM networks: amounts as decimal strings (`summary` then only counts transactions).
    evm: EvmActivity | None = None


class ScanCompleted(Payload):
    scan_id: str
    completed_at: datetime


class ScanFailed(Payload):
    scan_id: str
    reason: str
    failed_at: datetime


class ScanReported(Payload):
    scan_id: str
    formats: list[str]


class ScanStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class ScanPhase(StrEnum):
    QUEUED = "queued"
    DERIVING = "deriving"
    FETCHING = "fetching"
    AGGREGATING = "aggregating"
    COMPLETED = "completed"
    FAILED = "failed"


TERMINAL_STATUSES = frozenset({ScanStatus.COMPLETED, ScanStatus.FAILED})


class ScanProgress(Payload):
    """Cumulative status of a scan; the last value wins (SCAN_PROGRESS keeps one per scan)."""

    scan_id: str
    status: ScanStatus
    phase: ScanPhase
    addresses_derived: int = 0
    addresses_fetched: int = 0
    percent: float = Field(default=0.0, ge=0.0, le=100.0)
    error: str | None = None
    updated_at: datetime


class AuditRecord(Payload):
    area: str
    action: str
    ok: bool = True
    user_id: str | None = None
    email: str | None = None
    client_ip: str | None = None
    detail: str | None = None
    at: datetime
