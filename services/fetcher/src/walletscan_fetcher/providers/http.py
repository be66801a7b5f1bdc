"""HTTP plumbing the JSON REST clients share (Blockchair, Tatum): a GET that turns transport
errors, error statuses, HTML pages and malformed bodies into the provider errors of `base`.

Each client passes `classify` for the statuses its provider gives a meaning (Blockchair's 402
and 43x quotas, Tatum's 403); everything else follows the common rules: 408/425/429/5xx and
HTML error pages are transient, other 4xx permanent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from walletscan_fetcher.providers.base import (
    PermanentProviderError,
    ProviderError,
    TransientProviderError,
)
from walletscan_fetcher.providers.esplora import parse_retry_after

T = TypeVar("T")
_BODY_EXCERPT = 300

# status, body excerpt, Retry-After seconds -> an error, or None for the common rules.
Classify = Callable[[int, str, float | None], ProviderError | None]


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
    """GET + validate for one provider. `path_of` keeps query strings (where keys live) out of
    error messages and logs."""

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
