"""Every NATS subject, built by functions so no service spells one by hand (ARCHITECTURE §3)."""

from __future__ import annotations

SCAN_PREFIX = "scan"
AUDIT_PREFIX = "audit"

# Wildcards consumers subscribe to.
ALL_SCAN_REQUESTED = "scan.*.requested"
ALL_SCAN_DERIVE = "scan.*.derive"
ALL_SCAN_DERIVED = "scan.*.derived"
ALL_SCAN_FETCHED = "scan.*.fetched.*"
ALL_SCAN_COMPLETED = "scan.*.completed"
ALL_SCAN_FAILED = "scan.*.failed"
ALL_SCAN_PROGRESS = "scan.*.progress"

# Request-reply (core NATS, not stored in a stream).
AUTH_REGISTER = "auth.register"
AUTH_LOGIN = "auth.login"
AUTH_REFRESH = "auth.refresh"
AUTH_LOGOUT = "auth.logout"
AUTH_JWKS = "auth.jwks"
AUTH_QUEUE = "auth"
REPORT_GENERATE = "report.generate"
REPORT_QUEUE = "report"


def _scan(scan_id: str, *parts: str) -> str:
    if not scan_id or any(c in scan_id for c in ".*> "):
        msg = f"scan id {scan_id!r} cannot be used in a subject"
        raise ValueError(msg)
    return ".".join((SCAN_PREFIX, scan_id, *parts))


def scan_requested(scan_id: str) -> str:
    return _scan(scan_id, "requested")


def scan_derive(scan_id: str) -> str:
    return _scan(scan_id, "derive")


def scan_derived(scan_id: str) -> str:
    return _scan(scan_id, "derived")


def scan_fetch(scan_id: str, provider: str) -> str:
    return _scan(scan_id, "fetch", provider)


def all_scan_fetch(provider: str) -> str:
    return f"scan.*.fetch.{provider}"


def scan_fetched(scan_id: str, provider: str) -> str:
    return _scan(scan_id, "fetched", provider)


def scan_completed(scan_id: str) -> str:
    return _scan(scan_id, "completed")


def scan_failed(scan_id: str) -> str:
    return _scan(scan_id, "failed")


def scan_reported(scan_id: str) -> str:
    return _scan(scan_id, "reported")


def scan_progress(scan_id: str) -> str:
    return _scan(scan_id, "progress")


def audit(area: str, action: str) -> str:
    return f"{AUDIT_PREFIX}.{area}.{action}"


def scan_id_of(subject: str) -> str:
    """The scan id in `scan.<id>....`."""
    parts = subject.split(".")
    if len(parts) < 3 or parts[0] != SCAN_PREFIX:
        msg = f"not a scan subject: {subject}"
        raise ValueError(msg)
    return parts[1]


# Deterministic message ids (ARCHITECTURE §4): a retried decision is dropped by the stream.
def _resumed(msg_id: str, resume: int) -> str:
    """A resumed stalled scan asks again under new ids, or the stream would drop the asks."""
    return f"{msg_id}:r{resume}" if resume else msg_id


def fetch_msg_id(scan_id: str, provider: str, track: str, index: int, resume: int = 0) -> str:
    return _resumed(f"{scan_id}:fetch:{provider}:{track}:{index}", resume)


def derive_msg_id(scan_id: str, track: str, start: int, count: int, resume: int = 0) -> str:
    return _resumed(f"{scan_id}:derive:{track}:{start}:{count}", resume)


def derived_msg_id(scan_id: str, track: str, start: int, count: int) -> str:
    return f"{scan_id}:derived:{track}:{start}:{count}"


def fetched_msg_id(scan_id: str, address: str, chunk: int) -> str:
    return f"{scan_id}:fetched:{address}:{chunk}"


def terminal_msg_id(scan_id: str, kind: str) -> str:
    return f"{scan_id}:{kind}"
