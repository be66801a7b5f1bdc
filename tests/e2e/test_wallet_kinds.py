"""Every wallet kind scanned end to end through the gateway: ypub, taproot tr() descriptor, wpkh
descriptor with /<0;1>/*, 2-of-3 wsh(sortedmulti), a bare xpub probed across script types, and
a testnet vpub. Totals are checked against the simulated chains (worlds_kinds.py).

The module runs its own infrastructure and services (fixtures `infra` and `stack` overridden
here) because it needs separate mainnet and testnet Esplora simulators; the conftest's `user`
fixture signs up against this module's gateway."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from walletscan_testkit.chain import SimChain, expected_wallet_totals
from walletscan_testkit.esplora_sim import create_esplora_app, run_server
from walletscan_testkit.stack import Infrastructure, ServiceStack, infrastructure, service_stack

from tests.e2e.client import ApiUser
from tests.e2e.worlds_kinds import KindsWorld, KindWallet, build_kinds_world

GAP = 5  # small gap limit: the funded indexes are 0, 2 (receive) and 0 (change)


@pytest.fixture(scope="module")
def kinds_world() -> KindsWorld:
    return build_kinds_world()


@pytest.fixture(scope="module")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    with infrastructure(tmp_path_factory.mktemp("kinds-infra")) as running:
        yield running


@pytest.fixture(scope="module")
def stack(infra: Infrastructure, kinds_world: KindsWorld) -> Iterator[ServiceStack]:
    with (
        run_server(create_esplora_app(kinds_world.mainnet)) as mainnet_url,
        run_server(create_esplora_app(kinds_world.testnet)) as testnet_url,
    ):
        env = {
            "WALLETSCAN_ESPLORA_BITCOIN_URL": mainnet_url,
            "WALLETSCAN_ESPLORA_TESTNET_URL": testnet_url,
            "WALLETSCAN_REQUESTS_PER_SECOND": "1000",
        }
        with service_stack(infra, env=env) as running:
            yield running


async def scan(user: ApiUser, **body: Any) -> tuple[str, dict[str, Any]]:
    r = await user.start_scan(**body)
    assert r.status_code == 202, r.text
    scan_id = r.json()["id"]
    try:
        await user.follow(scan_id, timeout=240)  # returns when the server ends the socket
    except TimeoutError:
        pytest.fail(f"scan did not end: {await user.scan(scan_id)}")
    return scan_id, await user.scan(scan_id)


def assert_totals(summary: dict[str, Any], chain: SimChain, wallet: KindWallet) -> None:
    expected = expected_wallet_totals(chain, wallet.addresses)
    assert int(summary["balance"]) == expected.balance
    assert int(summary["confirmed_balance"]) == expected.confirmed_balance
    assert int(summary["total_received"]) == expected.total_received
    assert int(summary["total_sent"]) == expected.total_sent
    assert int(summary["total_fees"]) == expected.total_fees
    assert summary["tx_count"] == expected.tx_count
    assert summary["used_address_count"] == len(expected.used_addresses)
    assert summary["reconciled"] is True


async def addresses_of(user: ApiUser, scan_id: str) -> dict[str, dict[str, Any]]:
    r = await user.http.get(f"/api/scans/{scan_id}/addresses")
    assert r.status_code == 200, r.text
    return {a["address"]: a for a in r.json()["items"]}


async def test_ypub_scan(user: ApiUser, kinds_world: KindsWorld, stack: ServiceStack) -> None:
    wallet = kinds_world.wallets["ypub"]
    scan_id, result = await scan(user, input=wallet.input, gap_limit=GAP)
    assert result["status"] == "completed", (result, stack.logs())
    assert (result["input_type"], result["script_types"]) == ("ypub", ["p2sh-p2wpkh"])
    assert_totals(result["summary"], kinds_world.mainnet, wallet)
    found = await addresses_of(user, scan_id)
    assert found[wallet.change[0]]["path"] == "m/49'/0'/0'/1/0"
    # receive: used up to 2, then the gap of 5; change: used 0, then 5
    assert result["summary"]["scanned_address_count"] == (2 + 1 + GAP) + (0 + 1 + GAP)


async def test_taproot_descriptor_scan(user: ApiUser, kinds_world: KindsWorld) -> None:
    wallet = kinds_world.wallets["taproot"]
    scan_id, result = await scan(user, input=wallet.input, gap_limit=GAP)
    assert result["status"] == "completed", result
    assert (result["input_type"], result["script_types"]) == ("descriptor", ["p2tr"])
    assert result["input"] == "tr(…) descriptor"
    assert_totals(result["summary"], kinds_world.mainnet, wallet)
    found = await addresses_of(user, scan_id)
    assert found[wallet.receive[2]]["path"] == "m/86'/0'/0'/0/2"
    assert found[wallet.change[0]]["chain"] == 1


async def test_wpkh_multipath_descriptor_scan(user: ApiUser, kinds_world: KindsWorld) -> None:
    wallet = kinds_world.wallets["wpkh_descriptor"]
    scan_id, result = await scan(user, input=wallet.input, gap_limit=GAP)
    assert result["status"] == "completed", result
    assert_totals(result["summary"], kinds_world.mainnet, wallet)
    found = await addresses_of(user, scan_id)
    assert found[wallet.receive[0]]["path"] == "m/84'/0'/1'/0/0"
    assert found[wallet.change[0]]["path"] == "m/84'/0'/1'/1/0"


async def test_multisig_wsh_sortedmulti_scan(user: ApiUser, kinds_world: KindsWorld) -> None:
    wallet = kinds_world.wallets["multisig"]
    scan_id, result = await scan(user, input=wallet.input, gap_limit=GAP)
    assert result["status"] == "completed", result
    assert result["input"] == "wsh(sortedmulti(2-of-3)) descriptor"
    assert result["script_types"] == ["p2wsh"]
    assert_totals(result["summary"], kinds_world.mainnet, wallet)
    assert int(result["summary"]["unconfirmed_balance"]) == 12_345
    found = await addresses_of(user, scan_id)
    assert found[wallet.receive[2]]["path"] == "m/48'/0'/0'/2'/0/2"
    assert found[wallet.receive[2]]["script_type"] == "p2wsh"


async def test_bare_xpub_is_probed_and_says_which_type_holds_funds(
    user: ApiUser, kinds_world: KindsWorld
) -> None:
    wallet = kinds_world.wallets["probed_xpub"]
    _, result = await scan(user, input=wallet.input, gap_limit=GAP)
    assert result["status"] == "completed", result
    assert result["script_types"] == ["p2pkh", "p2sh-p2wpkh", "p2wpkh"]
    assert_totals(result["summary"], kinds_world.mainnet, wallet)
    by_type = {row["script_type"]: row for row in result["summary"]["by_script_type"]}
    assert {t: r["has_history"] for t, r in by_type.items()} == {
        "p2pkh": False,
        "p2sh-p2wpkh": False,
        "p2wpkh": True,
    }
    assert by_type["p2wpkh"]["balance"] == result["summary"]["balance"]
    assert by_type["p2pkh"]["scanned"] == 2 * GAP  # nothing used: the gap on each chain


async def test_script_types_narrow_a_bare_xpub(user: ApiUser, kinds_world: KindsWorld) -> None:
    wallet = kinds_world.wallets["probed_xpub"]
    _, result = await scan(user, input=wallet.input, gap_limit=GAP, script_types=["p2wpkh"])
    assert result["status"] == "completed", result
    assert result["script_types"] == ["p2wpkh"]
    assert_totals(result["summary"], kinds_world.mainnet, wallet)


async def test_testnet_vpub_scan(user: ApiUser, kinds_world: KindsWorld) -> None:
    wallet = kinds_world.wallets["vpub"]
    scan_id, result = await scan(user, input=wallet.input, gap_limit=GAP)
    assert result["status"] == "completed", result
    assert (result["chain"], result["input_type"]) == ("bitcoin-testnet", "vpub")
    assert result["summary"]["unit"] == "tBTC"
    assert_totals(result["summary"], kinds_world.testnet, wallet)
    found = await addresses_of(user, scan_id)
    assert found[wallet.receive[3]]["path"] == "m/84'/1'/0'/0/3"


XPUB = (  # BIP380 key expression vectors
    "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGR"
    "jaDMzQLcgJvLJuZZvRcEL"
)
XPRV = (  # BIP32 test vector 1, chain m
    "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3"
    "TGtRBeJgk33yuGBxrMPHi"
)
MASTER_XPUB = (  # BIP32 test vector 1, chain m
    "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD2"
    "65TMg7usUDFdp6W1EGMcet8"
)
LTUB = (  # xpub-scan's Litecoin vector key
    "Ltub2ZoLFXBt7mLeb4out9duUxMmqCSX9mqi73NcQ8nyjQsJEm76JP1poExdj9rRCFfHyuUVKgj5t2B2EBsmFvKi"
    "vKzVpmKKZ4XiAVx65s3WZ8j"
)


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"input": f"wpkh({XPUB}/<0;1>/*)#00000000"}, 400, "checksum"),
        ({"input": f"wpkh({XPRV}/<0;1>/*)"}, 422, "private"),
        ({"input": f"tr({XPUB}/*,pk({XPUB}/*))"}, 400, "script trees"),
        ({"input": MASTER_XPUB}, 400, "master key"),
        ({"input": LTUB}, 400, "cannot scan litecoin yet"),
    ],
    ids=["bad-checksum", "xprv-in-descriptor", "taproot-tree", "master-key", "litecoin"],
)
async def test_bad_descriptors_and_keys_are_refused(
    user: ApiUser, body: dict[str, Any], status: int, fragment: str
) -> None:
    r = await user.start_scan(**body)
    assert r.status_code == status, r.text
    assert fragment in r.json()["detail"].lower()
