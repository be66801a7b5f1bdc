"""derive_batch for every kind of track: account keys per script type, single-chain
descriptors (multisig, taproot) and the BCH/LTC chains named by the track's network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from walletscan_contracts.chains import Network, ScriptType
from walletscan_contracts.events import DeriveBatch, Track
from walletscan_derivation.service import derive_batch
from walletscan_keys import InputError, parse_input

VECTORS = json.loads(
    (
        Path(__file__).resolve().parents[3] / "libs/keys/tests/data/descriptor_vectors.json"
    ).read_text()
)
MULTISIG = VECTORS["multisig_addresses"][0]
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31"
    "mGDtKsAYz2oz2AGutZYs"
)


def _tracks(text: str) -> list[Track]:
    parsed = parse_input(text)
    return [
        Track(
            key=parsed.key or "",
            script_type=c.script_type,
            branch=c.branch,
            path_prefix=c.path_prefix,
            descriptor=c.descriptor,
        )
        for c in parsed.chains
    ]


def test_multisig_descriptor_tracks_derive_receive_and_change() -> None:
    text = MULTISIG["descriptor"].split("#")[0].replace("/0/*", "/<0;1>/*")
    receive, change = _tracks(text)
    for track, expected in ((receive, MULTISIG["receive"]), (change, MULTISIG["change"])):
        cmd = DeriveBatch(
            scan_id="s", network=Network.BITCOIN_TESTNET, track=track, start=0, count=3
        )
        derived = derive_batch(cmd)
        assert [a.address for a in derived.addresses] == expected
        assert derived.track_id == f"p2wsh-{track.branch}"
        assert [a.path for a in derived.addresses] == [
            f"m/48'/1'/0'/2'/{track.branch}/{i}" for i in range(3)
        ]
        assert {a.script_type for a in derived.addresses} == {ScriptType.P2WSH}


def test_descriptor_track_on_the_wrong_network_is_refused() -> None:
    (track, _) = _tracks(MULTISIG["descriptor"].split("#")[0].replace("/0/*", "/<0;1>/*"))
    cmd = DeriveBatch(scan_id="s", network=Network.BITCOIN, track=track, start=0, count=1)
    with pytest.raises(InputError, match="requested"):
        derive_batch(cmd)


def test_account_key_tracks_are_unchanged() -> None:
    track = Track(key=ZPUB, script_type=ScriptType.P2TR, branch=0, path_prefix="m/86'/0'/0'")
    cmd = DeriveBatch(scan_id="s", network=Network.BITCOIN, track=track, start=5, count=2)
    derived = derive_batch(cmd)
    assert [a.index for a in derived.addresses] == [5, 6]
    assert all(a.address.startswith("bc1p") for a in derived.addresses)
    assert derived.addresses[0].path == "m/86'/0'/0'/0/5"
