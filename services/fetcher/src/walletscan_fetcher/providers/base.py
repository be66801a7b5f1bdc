"""What every provider client offers, and the errors it may raise (ARCHITECTURE §6).

Clients do no retrying, rate limiting or circuit breaking themselves: they raise
`TransientProviderError` (worth retrying, maybe after `retry_after` seconds) or
`PermanentProviderError` (retrying will not help) and leave the policy to the shared
resilience wrapper. `UnsupportedNetwork` and `QuotaExhausted` mean "route this to another
provider".

A provider that can fetch many addresses in one request (Blockchair) also implements
`BatchProvider`; the fetcher then groups pending fetch commands into batches of `max_batch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from walletscan_contracts.chains import Network
from walletscan_contracts.events import AddressSummary, AddressTx, EvmActivity, Utxo


@dataclass(slots=True)
class AddressReport:
    """Everything one provider call learnt about one address."""

    summary: AddressSummary
    txs: list[AddressTx]
    utxos: list[Utxo]
    tip_height: int
    evm: EvmActivity | None = None  # EVM networks: the account, native txs, tokens


@runtime_checkable
class Provider(Protocol):
    name: str
    networks: frozenset[Network]

    async def fetch_address(self, address: str, network: Network) -> AddressReport: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class BatchProvider(Provider, Protocol):
    max_batch: int

    async def fetch_addresses(
        self, addresses: Sequence[str], network: Network
    ) -> dict[str, AddressReport]:
        """A report for every address asked for (also the unused ones)."""
        ...


class ProviderError(Exception):
    """A provider call failed. `transient` says whether retrying may help."""

    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status_code: int | None = None,
        body: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status_code = status_code
        self.body = body
        self.retry_after = retry_after

    def __str__(self) -> str:
        where = f"{self.provider}: " if self.provider else ""
        status = f" (HTTP {self.status_code})" if self.status_code is not None else ""
        return f"{where}{self.message}{status}"


class TransientProviderError(ProviderError):
    """429, 5xx, timeouts, connection errors, HTML or malformed bodies, inconsistent data."""

    transient = True


class PermanentProviderError(ProviderError):
    """The request itself is refused (400/404/…: e.g. an invalid address, too much history)."""

    transient = False


class UnsupportedNetwork(ProviderError):
    """This provider (as configured) cannot serve the network; try the next provider."""

    transient = False


class QuotaExhausted(ProviderError):
    """The provider refuses us for a while (402, a daily limit, a blocked IP): retrying now
    cannot help, another provider can."""

    transient = False
