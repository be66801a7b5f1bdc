"""`python -m walletscan_gateway`"""

from __future__ import annotations

import uvicorn
from prometheus_client import start_http_server
from walletscan_platform.logs import configure_logging
from walletscan_platform.service import wait_for_tcp

from walletscan_gateway.app import create_app
from walletscan_gateway.settings import get_settings


def main() -> None:
    settings = get_settings()
    configure_logging("gateway", settings.log_level, json_logs=settings.log_json)
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.metrics_host)
    wait_for_tcp(settings.nats_url, 4222)
    wait_for_tcp(settings.mongodb_url, 27017)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
        ws="websockets-sansio",
    )


if __name__ == "__main__":
    main()
