"""Derivation settings (environment prefix WALLETSCAN_)."""

from __future__ import annotations

from walletscan_contracts.chains import Network
from walletscan_contracts.providers import fallback_order
from walletscan_platform.settings import ServiceSettings


class DerivationSettings(ServiceSettings):
    # Providers in fallback order per network, comma-separated; fetch commands go to the
    # first one, and a fetcher re-routes to the next when it cannot serve. Empty = the default
    # order of walletscan_contracts.providers. The fetchers read the same variables.
    providers_bitcoin: str = ""
    providers_bitcoin_testnet: str = ""
    providers_litecoin: str = ""
    providers_dogecoin: str = ""
    providers_bitcoin_cash: str = ""
    providers_ethereum: str = ""
    providers_sepolia: str = ""
    providers_polygon: str = ""
    providers_bsc: str = ""
    providers_arbitrum: str = ""
    providers_optimism: str = ""
    providers_base: str = ""

    def providers(self, network: Network) -> list[str]:
        configured = {
            Network.BITCOIN: self.providers_bitcoin,
            Network.BITCOIN_TESTNET: self.providers_bitcoin_testnet,
            Network.LITECOIN: self.providers_litecoin,
            Network.DOGECOIN: self.providers_dogecoin,
            Network.BITCOIN_CASH: self.providers_bitcoin_cash,
            Network.ETHEREUM: self.providers_ethereum,
            Network.SEPOLIA: self.providers_sepolia,
            Network.POLYGON: self.providers_polygon,
            Network.BSC: self.providers_bsc,
            Network.ARBITRUM: self.providers_arbitrum,
            Network.OPTIMISM: self.providers_optimism,
            Network.BASE: self.providers_base,
        }.get(network)
        order = fallback_order(network, configured)
        if not order:
            msg = f"no provider is configured for {network}"
            raise LookupError(msg)
        return order
