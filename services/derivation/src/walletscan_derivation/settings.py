"""Derivation settings (environment prefix WALLETSCAN_)."""

from __future__ import annotations

from walletscan_contracts.chains import Network
from walletscan_contracts.providers import fallback_order
from walletscan_platform.settings import ProviderOrderSettings


class DerivationSettings(ProviderOrderSettings):
    def providers(self, network: Network) -> list[str]:
        order = fallback_order(network, self.configured_order(network))
        if not order:
            msg = f"no provider is configured for {network}"
            raise LookupError(msg)
        return order
