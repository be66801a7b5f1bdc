"""A test user of the HTTP API and WebSocket, speaking to the gateway like the dashboard."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import websockets

ORIGIN = "http://127.0.0.1:3000"
PASSWORD = "correct horse battery staple 42"


class ApiUser:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30.0)
        self.email = f"user-{uuid.uuid4().hex[:8]}@example.com"

    async def aclose(self) -> None:
        await self.http.aclose()

    @property
    def csrf(self) -> dict[str, str]:
        token = self.http.cookies.get("walletscan_csrf")
        return {"X-CSRF-Token": token} if token else {}

    async def sign_up_and_in(self) -> None:
        r = await self.http.post(
            "/api/auth/register", json={"email": self.email, "password": PASSWORD}
        )
        assert r.status_code == 201, r.text
        r = await self.http.post(
            "/api/auth/login", json={"email": self.email, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text

    async def start_scan(self, **body: Any) -> httpx.Response:
        return await self.http.post("/api/scans", json=body, headers=self.csrf)

    async def scan(self, scan_id: str) -> dict[str, Any]:
        r = await self.http.get(f"/api/scans/{scan_id}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def follow(
        self,
        scan_id: str,
        *,
        timeout: float = 120.0,
        until: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Every progress message of the WebSocket until the server closes it (or, with
        `until`, until a message satisfies it)."""
        ws_url = self.base_url.replace("http://", "ws://") + f"/api/scans/{scan_id}/events"
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        messages: list[dict[str, Any]] = []
        async with (
            websockets.connect(
                ws_url, additional_headers={"Cookie": cookie}, origin=ORIGIN, open_timeout=10
            ) as ws,
            asyncio.timeout(timeout),
        ):
            async for raw in ws:
                messages.append(json.loads(raw))
                if until is not None and until(messages[-1]):
                    break
        return messages

    async def all_transactions(self, scan_id: str, page_size: int = 50) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            r = await self.http.get(
                f"/api/scans/{scan_id}/transactions", params={"page": page, "page_size": page_size}
            )
            assert r.status_code == 200, r.text
            body = r.json()
            items += body["items"]
            if page * page_size >= body["total"]:
                return items
            page += 1
