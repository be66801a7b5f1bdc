"""Fetcher settings (environment prefix WALLETSCAN_). Provider URLs and keys come from the
environment only, never from users. Every fetcher process reads every provider's settings (the
order of fallback needs to know which providers are usable) but serves only `provider`."""

from __future__ import annotations

from dataclasses import fields

from pydantic import SecretStr
from walletscan_contracts.chains import Network
from walletscan_contracts.providers import (
    BLOCKCHAIR,
    ELECTRUM,
    ESPLORA,
    ETHERSCAN,
    JSONRPC,
    TATUM,
    fallback_order,
    parse_order,
)
from walletscan_platform.settings import ProviderOrderSettings

from walletscan_fetcher.resilience import ResiliencePolicy

# The resilience wrapper's defaults: the settings of the same names below take theirs from it,
# so the environment-facing defaults and the wrapper's own cannot drift apart.
_POLICY = ResiliencePolicy()

# Infura's host names per chain (https://<host>.infura.io/v3/<key>).
INFURA_HOSTS: dict[Network, str] = {
    Network.ETHEREUM: "mainnet",
    Network.SEPOLIA: "sepolia",
    Network.POLYGON: "polygon-mainnet",
    Network.BSC: "bsc-mainnet",
    Network.ARBITRUM: "arbitrum-mainnet",
    Network.OPTIMISM: "optimism-mainnet",
    Network.BASE: "base-mainnet",
}


class FetcherSettings(ProviderOrderSettings):
    provider: str = ESPLORA
    # The fallback order per network comes from ProviderOrderSettings.

    # Fetchers that run (the local runner sets it); when set, commands are only re-routed to
    # these, so none waits on a queue nobody consumes. Empty = every available provider.
    fetcher_providers: str = ""

    # --- Esplora (mempool.space, Blockstream, self-hosted electrs/esplora)
    esplora_bitcoin_url: str = "https://mempool.space/api"
    esplora_testnet_url: str = "https://mempool.space/testnet/api"
    esplora_litecoin_url: str = ""  # e.g. https://litecoinspace.org/api

    # --- Blockchair (works without a key within its free quota)
    blockchair_url: str = "https://api.blockchair.com"
    blockchair_api_key: SecretStr | None = None
    # Addresses per `dashboards/addresses` call (Blockchair allows up to 100) and how long the
    # fetcher waits for more fetch commands to fill a batch.
    blockchair_batch_size: int = 100
    blockchair_batch_linger_seconds: float = 0.05

    # --- Tatum (needs a key; one per network kind because Tatum keys are mainnet or testnet)
    tatum_url: str = "https://api.tatum.io"
    tatum_api_key: SecretStr | None = None
    tatum_testnet_api_key: SecretStr | None = None

    # --- Electrum protocol servers: tcp://host:50001 or ssl://host:50002 (unset = not used)
    electrum_bitcoin_url: str = ""
    electrum_testnet_url: str = ""
    electrum_litecoin_url: str = ""
    electrum_dogecoin_url: str = ""
    electrum_bitcoin_cash_url: str = ""
    # Self-hosted Electrum servers often use self-signed certificates; off by default.
    electrum_tls_insecure: bool = False

    # --- EVM JSON-RPC nodes, one URL per chain (WALLETSCAN_EVM_RPC_URL_<CHAIN>). Without one,
    # a chain uses Infura when WALLETSCAN_INFURA_API_KEY is set (Infura has no Otterscan API,
    # so it gives balances and tokens and hands the history to Etherscan).
    evm_rpc_url_ethereum: str = ""
    evm_rpc_url_sepolia: str = ""
    evm_rpc_url_polygon: str = ""
    evm_rpc_url_bsc: str = ""
    evm_rpc_url_arbitrum: str = ""
    evm_rpc_url_optimism: str = ""
    evm_rpc_url_base: str = ""
    infura_api_key: SecretStr | None = None
    # Largest block range of one eth_getLogs / trace_filter call; it shrinks by itself when a
    # node says a range is too large.
    evm_max_block_range: int = 1_000_000
    evm_ots_page_size: int = 25

    # --- Etherscan V2 (one key for every chain it serves; the free tier caps 1,000 records)
    etherscan_url: str = "https://api.etherscan.io/v2/api"
    etherscan_api_key: SecretStr | None = None
    etherscan_record_cap: int = 1000

    # --- limits and resilience, per process (see the closing note of issue 4 for how the rate
    # limit adds up across replicas). `<provider>_requests_per_second` overrides the default.
    concurrency: int = _POLICY.concurrency
    requests_per_second: float = 10.0
    esplora_requests_per_second: float | None = None
    blockchair_requests_per_second: float | None = None
    tatum_requests_per_second: float | None = None
    electrum_requests_per_second: float | None = None
    jsonrpc_requests_per_second: float | None = None
    # Etherscan's free tier allows 3 calls per second.
    etherscan_requests_per_second: float | None = 3.0
    # Whole-call deadline for one address (all its pages), beyond httpx's per-read timeouts.
    call_deadline_seconds: float = 120.0
    http_timeout_seconds: float = 20.0
    retry_attempts: int = _POLICY.retry_attempts
    retry_timeout_seconds: float = _POLICY.retry_timeout_seconds
    retry_wait_initial_seconds: float = _POLICY.retry_wait_initial_seconds
    retry_wait_max_seconds: float = _POLICY.retry_wait_max_seconds
    breaker_fail_max: int = _POLICY.breaker_fail_max
    breaker_reset_seconds: float = _POLICY.breaker_reset_seconds
    # Transactions per fetched event, to stay far below NATS's max payload.
    txs_per_event: int = 1000
    # Deliveries of one fetch command before the scan is failed.
    fetch_max_deliver: int = 8

    def esplora_urls(self) -> dict[Network, str]:
        urls = {
            Network.BITCOIN: self.esplora_bitcoin_url,
            Network.BITCOIN_TESTNET: self.esplora_testnet_url,
            Network.LITECOIN: self.esplora_litecoin_url,
        }
        return {n: u for n, u in urls.items() if u}

    def electrum_urls(self) -> dict[Network, str]:
        urls = {
            Network.BITCOIN: self.electrum_bitcoin_url,
            Network.BITCOIN_TESTNET: self.electrum_testnet_url,
            Network.LITECOIN: self.electrum_litecoin_url,
            Network.DOGECOIN: self.electrum_dogecoin_url,
            Network.BITCOIN_CASH: self.electrum_bitcoin_cash_url,
        }
        return {n: u for n, u in urls.items() if u}

    def evm_rpc_urls(self) -> dict[Network, str]:
        urls = {
            Network.ETHEREUM: self.evm_rpc_url_ethereum,
            Network.SEPOLIA: self.evm_rpc_url_sepolia,
            Network.POLYGON: self.evm_rpc_url_polygon,
            Network.BSC: self.evm_rpc_url_bsc,
            Network.ARBITRUM: self.evm_rpc_url_arbitrum,
            Network.OPTIMISM: self.evm_rpc_url_optimism,
            Network.BASE: self.evm_rpc_url_base,
        }
        if self.infura_api_key:
            key = self.infura_api_key.get_secret_value()
            for network, host in INFURA_HOSTS.items():
                urls[network] = urls[network] or f"https://{host}.infura.io/v3/{key}"
        return {n: u for n, u in urls.items() if u}

    def available_providers(self) -> set[str]:
        """Providers with what they need to work: a URL, or a key where one is required."""
        found = {BLOCKCHAIR}
        if self.esplora_urls():
            found.add(ESPLORA)
        if self.electrum_urls():
            found.add(ELECTRUM)
        if self.tatum_api_key or self.tatum_testnet_api_key:
            found.add(TATUM)
        if self.evm_rpc_urls():
            found.add(JSONRPC)
        if self.etherscan_api_key:
            found.add(ETHERSCAN)
        return found

    def provider_order(self, network: Network) -> list[str]:
        configured = self.configured_order(network)
        order = fallback_order(network, configured, self.available_providers())
        running = parse_order(self.fetcher_providers)
        return [p for p in order if p in running] if running else order

    def resilience_policy(self) -> ResiliencePolicy:
        """The wrapper's policy from the fields of the same names (a policy field without a
        setting fails here, at start-up)."""
        return ResiliencePolicy(**{f.name: getattr(self, f.name) for f in fields(ResiliencePolicy)})

    def requests_per_second_for(self, provider: str) -> float:
        override: float | None = getattr(self, f"{provider}_requests_per_second", None)
        return override if override is not None else self.requests_per_second
