"""Derivation settings (environment prefix WALLETSCAN_)."""

from __future__ import annotations

from walletscan_contracts.chains import Network
from walletscan_platform.settings import ServiceSettings


class DerivationSettings(ServiceSettings):
    # Providers in fallback order per network, comma-separated; fetch commands go to the
    # first one, and a fetcher re-routes to the next when it cannot serve.
    providers_bitcoin: str = "esplora"
    providers_bitcoin_testnet: str = "esplora"

    def providers(self, network: Network) -> list[str]:
        raw = {
            Network.BITCOIN: self.providers_bitcoin,
            Network.BITCOIN_TESTNET: self.providers_bitcoin_testnet,
        }[network]
        return [p.strip() for p in raw.split(",") if p.strip()]
