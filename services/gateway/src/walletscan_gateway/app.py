"""The gateway's FastAPI application: wiring, health, errors and security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry import trace
from walletscan_platform.database import make_client, ping
from walletscan_platform.telemetry import configure_tracing

from walletscan_gateway.bus import GatewayBus
from walletscan_gateway.readmodel import ScanReads
from walletscan_gateway.routes import auth as auth_routes
from walletscan_gateway.routes import scans as scan_routes
from walletscan_gateway.settings import GatewaySettings, get_settings

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = make_client(settings.mongodb_url)
        app.state.mongo = client
        app.state.reads = ScanReads(client[settings.mongodb_database])
        app.state.bus = await GatewayBus.connect(settings.nats_url)
        try:
            yield
        finally:
            await app.state.bus.close()
            await client.close()

    app = FastAPI(
        title="walletscan API",
        version="0.1.0",
        description="Scan Bitcoin wallets: derive addresses, fetch history, account, report.",
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )

    tracer = trace.get_tracer("walletscan.gateway", tracer_provider=configure_tracing("gateway"))

    @app.middleware("http")
    async def request_span(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """A server span per request: the root of a scan's trace across every service."""
        with tracer.start_as_current_span(
            f"{request.method} {request.url.path}", kind=trace.SpanKind.SERVER
        ) as span:
            response = await call_next(request)
            span.set_attribute("http.response.status_code", response.status_code)
            return response

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if settings.cookie_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
            )
        return response

    @app.exception_handler(RequestValidationError)
    async def readable_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        """One readable sentence per problem instead of FastAPI's nested list."""
        return JSONResponse({"detail": describe_validation(exc.errors())}, status_code=422)

    @app.get("/api/health", tags=["health"])
    async def health(request: Request) -> JSONResponse:
        nats_ok = request.app.state.bus.connected
        db_ok = await ping(request.app.state.mongo)
        status = 200 if nats_ok and db_ok else 503
        return JSONResponse(
            {
                "status": "ok" if status == 200 else "degraded",
                "nats": "ok" if nats_ok else "down",
                "database": "ok" if db_ok else "down",
            },
            status_code=status,
        )

    app.include_router(auth_routes.router)
    app.include_router(scan_routes.router)
    return app


def describe_validation(errors: Any) -> str:
    parts = []
    for err in errors:
        location = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{location}: {err.get('msg')}" if location else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"
