"""Providers registered in one place: name -> how to build its client from settings."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from aiolimiter import AsyncLimiter
from pydantic import SecretStr
from walletscan_contracts.chains import Network
from walletscan_contracts.providers import BLOCKCHAIR, ELECTRUM, ESPLORA, ETHERSCAN, JSONRPC, TATUM

from walletscan_fetcher.providers.base import Provider
from walletscan_fetcher.providers.blockchair import BlockchairClient
from walletscan_fetcher.providers.electrum import ElectrumClient
from walletscan_fetcher.providers.esplora import EsploraClient
from walletscan_fetcher.providers.etherscan import EtherscanClient
from walletscan_fetcher.providers.jsonrpc import JsonRpcClient
from walletscan_fetcher.providers.tatum import TatumClient
from walletscan_fetcher.settings import FetcherSettings

Builder = Callable[[FetcherSettings, httpx.AsyncClient, AsyncLimiter], Provider]


def _revealed(secret: SecretStr | None) -> str | None:
    """An optional key as the client sends it (it stays a SecretStr in settings and logs)."""
    return secret.get_secret_value() if secret else None


def _esplora(s: FetcherSettings, http: httpx.AsyncClient, _: AsyncLimiter) -> Provider:
    return EsploraClient(s.esplora_urls(), http=http, deadline_seconds=s.call_deadline_seconds)


def _blockchair(s: FetcherSettings, http: httpx.AsyncClient, _: AsyncLimiter) -> Provider:
    client = BlockchairClient(
        s.blockchair_url,
        http=http,
        api_key=_revealed(s.blockchair_api_key),
        deadline_seconds=s.call_deadline_seconds,
    )
    client.max_batch = max(1, min(s.blockchair_batch_size, client.max_batch))
    return client


def _tatum(s: FetcherSettings, http: httpx.AsyncClient, _: AsyncLimiter) -> Provider:
    keys: dict[Network, str] = {}
    if s.tatum_api_key:
        main = s.tatum_api_key.get_secret_value()
        mainnets = (
            Network.BITCOIN,
            Network.LITECOIN,
            Network.DOGECOIN,
            Network.BITCOIN_CASH,
            Network.ETHEREUM,
        )
        keys |= dict.fromkeys(mainnets, main)
    if s.tatum_testnet_api_key:
        keys[Network.BITCOIN_TESTNET] = s.tatum_testnet_api_key.get_secret_value()
    return TatumClient(s.tatum_url, keys, http=http, deadline_seconds=s.call_deadline_seconds)


def _electrum(s: FetcherSettings, _: httpx.AsyncClient, limiter: AsyncLimiter) -> Provider:
    return ElectrumClient(
        s.electrum_urls(),
        limiter=limiter,
        deadline_seconds=s.call_deadline_seconds,
        request_timeout=s.http_timeout_seconds,
        tls_insecure=s.electrum_tls_insecure,
    )


def _jsonrpc(s: FetcherSettings, http: httpx.AsyncClient, _: AsyncLimiter) -> Provider:
    return JsonRpcClient(
        s.evm_rpc_urls(),
        http=http,
        deadline_seconds=s.call_deadline_seconds,
        max_block_range=s.evm_max_block_range,
        ots_page_size=s.evm_ots_page_size,
    )


def _etherscan(s: FetcherSettings, http: httpx.AsyncClient, _: AsyncLimiter) -> Provider:
    return EtherscanClient(
        s.etherscan_url,
        _revealed(s.etherscan_api_key),
        http=http,
        deadline_seconds=s.call_deadline_seconds,
        record_cap=s.etherscan_record_cap,
    )


PROVIDERS: dict[str, Builder] = {
    ESPLORA: _esplora,
    BLOCKCHAIR: _blockchair,
    TATUM: _tatum,
    ELECTRUM: _electrum,
    JSONRPC: _jsonrpc,
    ETHERSCAN: _etherscan,
}


def build_provider(
    name: str,
    settings: FetcherSettings,
    http: httpx.AsyncClient,
    limiter: AsyncLimiter | None = None,
) -> Provider:
    builder = PROVIDERS.get(name)
    if builder is None:
        msg = f"unknown provider {name!r}; known: {', '.join(sorted(PROVIDERS))}"
        raise ValueError(msg)
    return builder(settings, http, limiter or AsyncLimiter(1_000_000, 1.0))
