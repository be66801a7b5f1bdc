"""Settings every service shares. Values come from the environment (prefix WALLETSCAN_) or
`.env`; production refuses development defaults for secrets."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict
from walletscan_contracts.chains import Network

# Ports of the embedded servers the local runner starts. Not the usual 4222/27017: machines
# may already run an old system NATS there, and the runner must never talk to it by mistake.
LOCAL_NATS_PORT = 4333
LOCAL_MONGODB_PORT = 27333


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WALLETSCAN_",
        env_file=".env",
        extra="ignore",
        env_file_encoding="utf-8",
        # An empty value (as in .env.example) means "use the default".
        env_ignore_empty=True,
    )

    environment: Literal["development", "test", "production"] = "development"
    nats_url: str = f"nats://127.0.0.1:{LOCAL_NATS_PORT}"
    mongodb_url: str = f"mongodb://127.0.0.1:{LOCAL_MONGODB_PORT}"
    mongodb_database: str = "walletscan"
    metrics_port: int | None = None
    # Loopback by default; containers set 0.0.0.0 so Prometheus can scrape.
    metrics_host: str = "127.0.0.1"
    log_level: str = "INFO"
    log_json: bool = False
    # How often a message may be delivered before it is turned into a failure.
    max_deliver: int = 5
    # Seconds JetStream waits for an ack before redelivering; handlers send heartbeats while
    # they work, so this bounds how long a crashed consumer's messages stay stuck.
    ack_wait_seconds: float = 30.0

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


class ProviderOrderSettings(ServiceSettings):
    """Each network's providers in fallback order (`WALLETSCAN_PROVIDERS_<NETWORK>`, comma
    separated; empty = the default order of walletscan_contracts.providers). The derivation
    service sends fetch commands to the first; a fetcher re-routes to the next. Both read
    these same variables, so they cannot disagree."""

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

    def configured_order(self, network: Network) -> str | None:
        value = getattr(self, f"providers_{network.value.replace('-', '_')}", None)
        return value if isinstance(value, str) else None
