"""Providers registered in one place: name -> how to build its client from settings."""

from __future__ import annotations

import httpx
from walletscan_contracts.chains import Network

from walletscan_fetcher.providers.base import Provider
from walletscan_fetcher.providers.esplora import EsploraClient
from walletscan_fetcher.settings import FetcherSettings


def build_provider(name: str, settings: FetcherSettings, http: httpx.AsyncClient) -> Provider:
    if name == "esplora":
        return EsploraClient(
            {
                Network.BITCOIN: settings.esplora_bitcoin_url,
                Network.BITCOIN_TESTNET: settings.esplora_testnet_url,
            },
            http=http,
            deadline_seconds=settings.call_deadline_seconds,
        )
    msg = f"unknown provider {name!r}; known: esplora"
    raise ValueError(msg)
