"""`walletscan derive` for every input kind: account keys (probed or not), descriptors,
multisig, other chains, address lists; JSON output; refusals with exit code 2."""

from __future__ import annotations

import json
from typing import Any

import coincurve
from bip_utils import Bip44Changes, Bip84, Bip84Coins, Secp256k1PublicKey
from typer.testing import CliRunner
from walletscan_keys import derive
from walletscan_keys.cli import app

from .conftest import REFERENCE_DATA
from .test_keys_descriptors import VECTORS

XPUB_SCAN = REFERENCE_DATA / "xpub-scan" / "derivation_vectors.json"

runner = CliRunner()
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNf"
    "E3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
)
LTUB = (
    "Ltub2ZoLFXBt7mLeb4out9duUxMmqCSX9mqi73NcQ8nyjQsJEm76JP1poExdj9rRCFfHyuUVKgj5t2B2EBsmFvKi"
    "vKzVpmKKZ4XiAVx65s3WZ8j"
)


def run_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["derive", *args, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def test_zpub_receive_chain_matches_bip84() -> None:
    doc = run_json(ZPUB, "--branch", "receive", "--start", "3", "--count", "4")
    chain = Bip84.FromExtendedKey(ZPUB, Bip84Coins.BITCOIN).Change(Bip44Changes.CHAIN_EXT)
    assert [a["address"] for a in doc["addresses"]] == [
        chain.AddressIndex(i).PublicKey().ToAddress() for i in range(3, 7)
    ]
    assert [a["path"] for a in doc["addresses"]] == [f"m/84'/0'/0'/0/{i}" for i in range(3, 7)]
    assert {a["branch"] for a in doc["addresses"]} == {0}


def test_text_output_has_index_path_type_and_address() -> None:
    result = runner.invoke(app, ["derive", ZPUB, "--count", "1"])
    assert result.exit_code == 0
    lines = [line.split() for line in result.output.splitlines() if not line.startswith("#")]
    assert lines == [
        ["0", "m/84'/0'/0'/0/0", "p2wpkh", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"],
        ["0", "m/84'/0'/0'/1/0", "p2wpkh", "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"],
    ]


def test_bare_ltub_lists_every_probed_type_unless_one_is_chosen() -> None:
    doc = run_json(LTUB, "--count", "1", "--branch", "change")
    assert doc["probing"] is True
    assert doc["network"] == "litecoin"
    assert [a["script_type"] for a in doc["addresses"]] == ["p2pkh", "p2sh-p2wpkh", "p2wpkh"]
    # xpub-scan vectors, change 1/0 of the Litecoin key
    assert [a["address"][:1] for a in doc["addresses"]] == ["L", "M", "l"]
    one = run_json(LTUB, "--count", "1", "--script-type", "p2wpkh")
    assert [a["script_type"] for a in one["addresses"]] == ["p2wpkh", "p2wpkh"]


def test_multisig_descriptor() -> None:
    wallet = VECTORS["multisig_addresses"][0]
    multipath = wallet["descriptor"].split("#")[0].replace("/0/*", "/<0;1>/*")
    doc = run_json(multipath, "--count", "3")
    rows = doc["addresses"]
    assert [r["address"] for r in rows if r["branch"] == 0] == wallet["receive"]
    assert [r["address"] for r in rows if r["branch"] == 1] == wallet["change"]
    assert rows[0]["path"] == "m/48'/1'/0'/2'/0/0"


def test_bch_cashaddr_and_legacy() -> None:
    vectors = json.loads(XPUB_SCAN.read_text())["vectors"]
    key = next(v["extended_key"] for v in vectors if v["coin"] == "Bitcoin Cash")
    cash = run_json(key, "--chain", "bch", "--count", "1", "--branch", "receive")
    assert cash["addresses"][0]["address"].startswith("bitcoincash:q")
    legacy = run_json(key, "--chain", "bch", "--count", "1", "--branch", "receive", "--legacy")
    assert legacy["addresses"][0]["address"].startswith("195D2Q9NPSpZxkD2gmEt")


def test_address_list() -> None:
    doc = run_json("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu,1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA")
    assert [(a["index"], a["script_type"]) for a in doc["addresses"]] == [
        (0, "p2wpkh"),
        (1, "p2pkh"),
    ]


def test_refusals_exit_with_a_message() -> None:
    bad = runner.invoke(app, ["derive", ZPUB[:-1] + "t"])
    assert bad.exit_code == 2
    assert "checksum is wrong" in bad.output
    private = runner.invoke(app, ["derive", " ".join(["abandon"] * 11 + ["about"])])
    assert private.exit_code == 2
    assert "never accepts private keys" in private.output
    branch = runner.invoke(app, ["derive", ZPUB, "--branch", "sideways"])
    assert branch.exit_code == 2


def test_coincurve_is_the_curve_backend() -> None:
    # walletscan derives with libsecp256k1 directly, and bip_utils (used for checks) must not
    # have fallen back to its pure-Python ECDSA backend (about 5x slower).
    assert derive.PublicKey is coincurve.PublicKey
    assert "coincurve" in Secp256k1PublicKey.__module__
