"""One scan is one trace: the gateway's request span is the ancestor of the spans every
service opens for the scan's messages."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.client import ApiUser
from tests.e2e.worlds import Wallet


def spans(trace_dir: Path) -> list[dict[str, str]]:
    out = []
    for path in trace_dir.glob("*.jsonl"):
        out += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return out


async def test_a_scan_is_one_trace_across_services(
    user: ApiUser, wallet: Wallet, trace_dir: Path
) -> None:
    r = await user.start_scan(input=wallet.receive[2])
    assert r.status_code == 202
    scan_id = r.json()["id"]
    await user.follow(scan_id)
    assert (await user.scan(scan_id))["status"] == "completed"

    recorded = spans(trace_dir)
    [root] = [s for s in recorded if s["name"] == "POST /api/scans"][-1:]
    in_trace = [s for s in recorded if s["trace_id"] == root["trace_id"]]
    services = {s["service"] for s in in_trace}
    assert {"gateway", "aggregator", "derivation", "fetcher-esplora"} <= services, services
    assert any(s["name"].endswith(".fetch.esplora process") for s in in_trace)
    assert any(s["name"].endswith(".fetched.esplora process") for s in in_trace)

    # No broken links: every span's parent was recorded, and the request span is the root.
    known = {s["span_id"] for s in in_trace}
    assert [s for s in in_trace if s["parent_id"] and s["parent_id"] not in known] == []
    assert [s["name"] for s in in_trace if s["parent_id"] is None] == ["POST /api/scans"]
