"""HTTP plumbing the REST clients share (Esplora, Blockchair, Tatum, Etherscan): a GET that
turns transport errors, error statuses, HTML pages and malformed bodies into the provider errors
of `base`.

Each client passes `classify` for the statuses its provider gives a meaning (Blockchair's 402
and 43x quotas, Tatum's 403, Esplora's redirects); everything else follows the common rules:
408/425/429/5xx and HTML error pages are transient, other 4xx permanent.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from walletscan_fetcher.providers.base import (
    PermanentProviderError,
    ProviderError,
    TransientProviderError,
)

T = TypeVar("T")
_BODY_EXCERPT = 300

# status, body excerpt, Retry-After seconds -> an error, or None for the common rules.
Classify = Callable[[int, str, float | None], ProviderError | None]


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def require_plain_address(address: str, *, provider: str, separators: str = "") -> None:
    """Refuse text that cannot be an address before it goes into a URL: empty, padded with
    white space, or holding a character the provider's URL reads as a separator."""
    if not address or address != address.strip() or any(c in address for c in separators):
        raise PermanentProviderError(f"invalid address {address!r}", provider=provider)


def excerpt(resp: httpx.Response) -> str:
    return resp.text.strip()[:_BODY_EXCERPT]


def validation_summary(exc: ValidationError) -> str:
    parts: list[str] = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else str(err["msg"]))
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


class JsonGetter:
    """GET + validate for one provider. Messages name the URL's path only: query strings (where
    keys live) stay out of errors and logs."""

    def __init__(
        self, http: httpx.AsyncClient, *, provider: str, classify: Classify | None = None
    ) -> None:
        self._http = http
        self.provider = provider
        self._classify = classify

    async def get(
        self,
        url: str,
        adapter: TypeAdapter[T],
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        resp = await self.response(url, params=params, headers=headers)
        path = httpx.URL(url).path
        body = resp.content
        if "html" in resp.headers.get("content-type", "") or body.lstrip()[:1] == b"<":
            raise TransientProviderError(
                f"HTML page instead of JSON on {path}",
                provider=self.provider,
                status_code=resp.status_code,
                body=excerpt(resp),
            )
        try:
            return adapter.validate_json(body)
        except ValidationError as exc:
            raise TransientProviderError(
                f"malformed response from {path}: {validation_summary(exc)}",
                provider=self.provider,
                status_code=resp.status_code,
                body=excerpt(resp),
            ) from exc

    async def response(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """A 2xx response, whatever its body (Esplora's tip height is plain text)."""
        path = httpx.URL(url).path
        try:
            resp = await self._http.get(url, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise TransientProviderError(
                f"timeout on {path}: {type(exc).__name__}", provider=self.provider
            ) from exc
        except httpx.TransportError as exc:
            raise TransientProviderError(
                f"connection error on {path}: {type(exc).__name__}", provider=self.provider
            ) from exc
        self._raise_for_status(resp, path)
        return resp

    def _raise_for_status(self, resp: httpx.Response, path: str) -> None:
        status = resp.status_code
        if 200 <= status < 300:
            return
        text = excerpt(resp)
        retry_after = parse_retry_after(resp.headers.get("retry-after"))
        if self._classify is not None:
            special = self._classify(status, text, retry_after)
            if special is not None:
                raise special
        html = "html" in resp.headers.get("content-type", "")
        if status in (408, 425, 429) or status >= 500 or html:
            raise TransientProviderError(
                f"HTTP {status} on {path}",
                provider=self.provider,
                status_code=status,
                body=text,
                retry_after=retry_after,
            )
        raise PermanentProviderError(
            text or f"HTTP {status} on {path}",
            provider=self.provider,
            status_code=status,
            body=text,
        )
