"""An 0x address scanned end to end on a real anvil node: the gateway, derivation, the
`jsonrpc` and `etherscan` fetchers, the aggregator and the report service as processes, on a
NATS of their own. The API's summary, transactions and tokens must equal what the node says
(written down from the receipts by the scenario and checked against eth_getBalance and
balanceOf). A second scan asks for a chain the node is not configured for and the Etherscan
plan does not cover, and fails saying so."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from walletscan_testkit.anvil import AnvilUnavailable, anvil_node
from walletscan_testkit.esplora_sim import run_server
from walletscan_testkit.etherscan_sim import create_etherscan_app
from walletscan_testkit.evm_scenario import EvmScenario, play_scenario
from walletscan_testkit.stack import (
    Infrastructure,
    ServiceStack,
    nats_beside,
    service_stack,
)

from tests.e2e.client import ApiUser


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EvmScenario]:
    try:
        with anvil_node(tmp_path_factory.mktemp("anvil"), chain_id=1) as node:
            yield play_scenario(node)
    except AnvilUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def base_node_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second chain (Base's chain id) where the scenario's wallet has no history."""
    try:
        with anvil_node(tmp_path_factory.mktemp("anvil-base"), chain_id=8453) as node:
            yield node.url
    except AnvilUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def evm_nats(
    tmp_path_factory: pytest.TempPathFactory, infra: Infrastructure
) -> Iterator[Infrastructure]:
    """A NATS of its own (these consumers must not compete with the shared stack's)."""
    with nats_beside(infra, tmp_path_factory.mktemp("evm")) as own:
        yield own


@pytest.fixture(scope="module")
def evm_stack(
    evm_nats: Infrastructure, scenario: EvmScenario, base_node_url: str
) -> Iterator[ServiceStack]:
    # The Etherscan simulator serves the same chain, on a free-tier plan without Polygon.
    etherscan = create_etherscan_app(scenario.node.url, chains={1}, record_cap=5)
    with run_server(etherscan) as etherscan_url:
        env = {
            "WALLETSCAN_FETCHER_PROVIDERS": "jsonrpc,etherscan",
            "WALLETSCAN_EVM_RPC_URL_ETHEREUM": scenario.node.url,
            "WALLETSCAN_EVM_RPC_URL_BASE": base_node_url,
            "WALLETSCAN_ETHERSCAN_URL": f"{etherscan_url}/v2/api",
            "WALLETSCAN_ETHERSCAN_API_KEY": "test-key",
            "WALLETSCAN_ETHERSCAN_RECORD_CAP": "5",
            "WALLETSCAN_REQUESTS_PER_SECOND": "1000",
            "WALLETSCAN_ETHERSCAN_REQUESTS_PER_SECOND": "1000",
            "WALLETSCAN_EVM_OTS_PAGE_SIZE": "4",
            "WALLETSCAN_RETRY_ATTEMPTS": "2",
            "WALLETSCAN_RETRY_WAIT_INITIAL_SECONDS": "0.05",
        }
        with service_stack(evm_nats, env=env) as running:
            yield running


@pytest.fixture
async def evm_user(evm_stack: ServiceStack) -> AsyncIterator[ApiUser]:
    api = ApiUser(evm_stack.gateway_url)
    await api.sign_up_and_in()
    yield api
    await api.aclose()


async def scan(user: ApiUser, **body: Any) -> tuple[str, dict[str, Any]]:
    r = await user.start_scan(**body)
    assert r.status_code == 202, r.text
    scan_id = r.json()["id"]
    await user.follow(scan_id, timeout=60)
    return scan_id, await user.scan(scan_id)


async def test_an_0x_address_matches_the_node_exactly(
    evm_user: ApiUser, scenario: EvmScenario, evm_stack: ServiceStack
) -> None:
    expected = scenario.expected
    checksummed = "0x5Ca1ab1e00000000000000000000000000C0FfEe"  # EIP-55 of the wallet
    scan_id, result = await scan(evm_user, input=checksummed, chain="ethereum")
    assert result["status"] == "completed", (result, evm_stack.logs())
    assert (result["chain"], result["input_type"]) == ("ethereum", "address")
    s = result["summary"]
    assert (s["unit"], s["decimals"], s["reconciled"]) == ("ETH", 18, True)
    assert s["balance"] == str(expected.balance) == str(scenario.node.balance(scenario.wallet))
    assert s["confirmed_balance"] == s["balance"] and s["unconfirmed_balance"] == "0"
    assert s["total_received"] == str(expected.total_received)
    assert s["total_sent"] == str(expected.total_sent)
    assert s["total_fees"] == str(expected.total_fees)
    assert s["tx_count"] == len(expected.txs)

    txs = await evm_user.all_transactions(scan_id, page_size=5)
    want = expected.by_txid()
    assert {t["txid"]: t["delta"] for t in txs} == {k: str(v.delta) for k, v in want.items()}
    assert [t["block_height"] for t in txs] == sorted(
        (t.block_height for t in expected.txs), reverse=True
    )
    for t in txs:
        w = want[t["txid"]]
        assert t["fee_paid"] == str(w.fee), w.label
        assert t["failed"] is w.failed, w.label
        assert {d["token"]: int(d["delta"]) for d in t["token_deltas"] if int(d["delta"])} == {
            k: v for k, v in w.token_deltas.items() if v
        }, w.label
        assert t["explorer_url"] == f"https://etherscan.io/tx/{t['txid']}"
    by_label = {want[t["txid"]].label: t for t in txs}
    assert by_label["self_transfer"]["direction"] == "self"
    assert by_label["forward_to_self"]["direction"] == "self"
    assert (
        by_label["internal_in"]["internal"] is True and by_label["internal_in"]["direction"] == "in"
    )
    assert by_label["failed"]["direction"] == "out"
    assert by_label["token_in"]["delta"] == "0" and by_label["token_in"]["direction"] == "in"

    r = await evm_user.http.get(f"/api/scans/{scan_id}/tokens")
    assert r.status_code == 200, r.text
    tokens = {t["token"]: t for t in r.json()["items"]}
    assert set(tokens) == set(expected.tokens)
    for token, meta in expected.tokens.items():
        got = tokens[token]
        assert (got["symbol"], got["name"], got["decimals"]) == (
            meta["symbol"],
            meta["name"],
            meta["decimals"],
        )
        assert got["balance"] == got["provider_balance"] == str(expected.token_balance(token))
        assert (got["received"], got["sent"]) == (str(meta["received"]), str(meta["sent"]))
        assert got["reconciled"] is True

    r = await evm_user.http.get(f"/api/scans/{scan_id}/addresses")
    (address,) = r.json()["items"]
    assert address["address"] == scenario.wallet and address["balance"] == str(expected.balance)

    r = await evm_user.http.get(f"/api/scans/{scan_id}/history", params={"interval": "day"})
    points = r.json()["points"]
    assert points[-1]["balance"] == str(expected.balance)
    assert sum(p["tx_count"] for p in points) == len(expected.txs)

    r = await evm_user.http.get(f"/api/scans/{scan_id}/report.csv")
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert sum(int(row["amount_base_units"]) for row in rows) == expected.balance


async def test_a_bad_checksum_is_refused_before_anything_runs(evm_user: ApiUser) -> None:
    r = await evm_user.start_scan(
        input="0x5Ca1ab1e00000000000000000000000000C0FfEE", chain="ethereum"
    )
    assert r.status_code in (400, 422)
    assert "EIP-55" in r.json()["detail"]


async def test_a_chain_no_provider_serves_fails_with_each_reason(
    evm_user: ApiUser, scenario: EvmScenario
) -> None:
    _, result = await scan(evm_user, input=scenario.wallet, chain="polygon")
    assert result["status"] == "failed"
    assert "etherscan: chain not served" in result["error"]


async def test_an_address_on_two_chains_is_one_scan_with_a_section_each(
    evm_user: ApiUser, scenario: EvmScenario, evm_stack: ServiceStack
) -> None:
    r = await evm_user.start_scan(input=scenario.wallet, chains=["ethereum", "base"])
    assert r.status_code == 202, r.text
    group, children = r.json()["id"], r.json()["scans"]
    assert [c["chain"] for c in children] == ["ethereum", "base"]
    for child in children:
        await evm_user.follow(child["id"], timeout=60)

    result = await evm_user.scan(group)
    assert result["group"] is True
    assert (result["status"], result["chain"]) == ("completed", "multiple"), evm_stack.logs()
    assert result["chains"] == ["ethereum", "base"]
    ethereum, base = result["sections"]
    assert {ethereum["group_id"], base["group_id"]} == {group}
    assert ethereum["summary"]["balance"] == str(scenario.expected.balance)
    assert ethereum["summary"]["tx_count"] == len(scenario.expected.txs)
    assert (base["summary"]["balance"], base["summary"]["tx_count"]) == ("0", 0)
    assert base["summary"]["reconciled"] is True

    # Each section is an ordinary scan of its own; the group is nobody else's business.
    r = await evm_user.http.get(f"/api/scans/{children[1]['id']}/transactions")
    assert r.status_code == 200
    assert r.json()["total"] == 0
    intruder = ApiUser(evm_stack.gateway_url)
    await intruder.sign_up_and_in()
    try:
        assert (await intruder.http.get(f"/api/scans/{group}")).status_code == 404
    finally:
        await intruder.aclose()


async def test_several_chains_are_for_evm_addresses(evm_user: ApiUser) -> None:
    r = await evm_user.start_scan(
        input="bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", chains=["bitcoin", "ethereum"]
    )
    assert r.status_code == 400
    assert "EVM" in r.json()["detail"]
