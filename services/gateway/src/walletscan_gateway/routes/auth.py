"""`/api/auth/*`: the HTTP face of the auth service. Each route forwards to auth over NATS
request-reply and turns its `AuthReply` into a status, a `{"detail"}` body and cookies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from walletscan_contracts import subjects
from walletscan_contracts.auth import (
    AuthReply,
    Credentials,
    LogoutRequest,
    RefreshRequest,
    UserInfo,
)

from walletscan_gateway.bus import BackendUnavailable
from walletscan_gateway.security import (
    AUTH_UNAVAILABLE,
    CsrfProtected,
    InvalidSession,
    SignedIn,
    auth_bus,
    clear_session_cookies,
    new_csrf_token,
    set_session_cookies,
    unavailable,
    verifier_for,
)
from walletscan_gateway.settings import GatewaySettings, get_settings

router = APIRouter(prefix="/api/auth", tags=["auth"])

Settings = Annotated[GatewaySettings, Depends(get_settings)]


class CredentialsBody(BaseModel):
    # Bounds only; the auth service validates the email and the password policy and says
    # what is wrong.
    email: str = Field(max_length=320, examples=["alice@example.com"])
    password: str = Field(max_length=1024)


class Detail(BaseModel):
    detail: str


def _errors(*codes: int) -> dict[int | str, dict[str, object]]:
    return {code: {"model": Detail} for code in codes}


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def _ask(request: Request, subject: str, payload: BaseModel) -> AuthReply:
    settings = get_settings()
    try:
        return await auth_bus(request.app.state).request(
            subject, payload, AuthReply, timeout=settings.request_timeout_seconds
        )
    except BackendUnavailable as exc:
        raise unavailable() from exc


def _fail(reply: AuthReply) -> HTTPException:
    headers = None
    if reply.status == status.HTTP_429_TOO_MANY_REQUESTS and reply.retry_after_seconds:
        headers = {"Retry-After": str(reply.retry_after_seconds)}
    # Only client errors pass through; anything else from auth is its failure, not the user's.
    code = reply.status if 400 <= reply.status < 500 else status.HTTP_503_SERVICE_UNAVAILABLE
    detail = reply.detail or ("request refused" if code < 500 else AUTH_UNAVAILABLE)
    return HTTPException(code, detail=detail, headers=headers)


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserInfo,
    responses=_errors(409, 422, 503),
)
async def register(body: CredentialsBody, request: Request) -> UserInfo:
    reply = await _ask(
        request,
        subjects.AUTH_REGISTER,
        Credentials(email=body.email, password=body.password, client_ip=_client_ip(request)),
    )
    if reply.status != status.HTTP_201_CREATED or reply.user is None:
        raise _fail(reply)
    return reply.user


@router.post("/login", response_model=UserInfo, responses=_errors(401, 429, 503))
async def login(
    body: CredentialsBody, request: Request, response: Response, settings: Settings
) -> UserInfo:
    """Sets the HttpOnly session cookies and a readable `walletscan_csrf` cookie whose value
    every later state-changing request repeats in the `X-CSRF-Token` header."""
    reply = await _ask(
        request,
        subjects.AUTH_LOGIN,
        Credentials(email=body.email, password=body.password, client_ip=_client_ip(request)),
    )
    if reply.status != status.HTTP_200_OK or reply.user is None or reply.tokens is None:
        raise _fail(reply)
    # A fresh CSRF token per login: one seen before the login is worth nothing after it.
    set_session_cookies(response, reply.tokens, settings, csrf_token=new_csrf_token())
    return reply.user


@router.post("/refresh", response_model=UserInfo, responses=_errors(401, 503))
async def refresh(request: Request, response: Response, settings: Settings) -> object:
    """Rotates the refresh cookie and issues a new access cookie. The refresh cookie is
    SameSite=Strict and scoped to /api/auth, so another site cannot make the browser send it."""
    token = request.cookies.get(settings.refresh_cookie)
    if not token:
        return _end_session(status.HTTP_401_UNAUTHORIZED, "no session to refresh", settings)
    reply = await _ask(
        request,
        subjects.AUTH_REFRESH,
        RefreshRequest(refresh_token=token, client_ip=_client_ip(request)),
    )
    if reply.status != status.HTTP_200_OK or reply.user is None or reply.tokens is None:
        if reply.status == status.HTTP_401_UNAUTHORIZED:
            # The refresh token is dead for good: drop the cookies so the client stops trying.
            return _end_session(reply.status, reply.detail or "session ended", settings)
        raise _fail(reply)
    csrf = request.cookies.get(settings.csrf_cookie) or new_csrf_token()
    set_session_cookies(response, reply.tokens, settings, csrf_token=csrf)
    return reply.user


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[CsrfProtected],
    responses=_errors(403, 503),
)
async def logout(request: Request, settings: Settings) -> Response:
    """Ends the session: revokes the refresh token (and its rotation family) and clears the
    cookies. Works with an expired access cookie too; the CSRF header is required."""
    user_id = None
    access = request.cookies.get(settings.access_cookie)
    if access:
        try:
            user_id = (await verifier_for(request.app.state).verify(access)).id
        except (InvalidSession, BackendUnavailable):
            user_id = None
    try:
        await auth_bus(request.app.state).request(
            subjects.AUTH_LOGOUT,
            LogoutRequest(
                refresh_token=request.cookies.get(settings.refresh_cookie),
                user_id=user_id,
                client_ip=_client_ip(request),
            ),
            AuthReply,
            timeout=settings.request_timeout_seconds,
        )
    except BackendUnavailable:
        # The browser forgets the session either way; say that the server side did not.
        return _end_session(status.HTTP_503_SERVICE_UNAVAILABLE, AUTH_UNAVAILABLE, settings)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, settings)
    return response


@router.get("/me", response_model=UserInfo, responses=_errors(401, 503))
async def me(user: SignedIn) -> UserInfo:
    """The signed-in user, from the verified access token."""
    if user.email is None or user.created_at is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="invalid session token")
    return UserInfo(id=user.id, email=user.email, created_at=user.created_at)


def _end_session(code: int, detail: str, settings: GatewaySettings) -> JSONResponse:
    response = JSONResponse({"detail": detail}, status_code=code)
    clear_session_cookies(response, settings)
    return response
