"""How the gateway turns pasted input into tracks: probing a bare xpub, one track per chain of
a descriptor (carrying the descriptor), and precise refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from walletscan_contracts.chains import Network, ScriptType
from walletscan_gateway.scan_requests import ScanRequest, build_scan_requested, parse_request
from walletscan_keys import InputError, PrivateKeyRefused

NOW = datetime(2024, 1, 1, tzinfo=UTC)
# BIP32 test vector 1, m/0H: an xpub whose script type is unknown.
XPUB = (
    "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgw"
    "Q9xv5ski8PX9rL2dZXvgGDnw"
)
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDK"
    "f31mGDtKsAYz2oz2AGutZYs"
)


def requested(**body: object) -> object:
    request = ScanRequest.model_validate(body)
    return build_scan_requested(parse_request(request), request, owner_id="u", now=NOW)


def test_bare_xpub_probes_three_script_types_on_both_chains() -> None:
    event = requested(input=XPUB)
    tracks = [(t.script_type, t.branch) for t in event.tracks]  # type: ignore[attr-defined]
    assert tracks == [
        (kind, branch)
        for kind in (ScriptType.P2PKH, ScriptType.P2SH_P2WPKH, ScriptType.P2WPKH)
        for branch in (0, 1)
    ]
    assert len({t.id for t in event.tracks}) == 6  # type: ignore[attr-defined]


def test_script_types_narrow_and_each_type_gets_its_own_path() -> None:
    event = requested(input=ZPUB, script_types=["p2wpkh", "p2tr"])
    paths = {(t.script_type, t.path_prefix) for t in event.tracks}  # type: ignore[attr-defined]
    assert paths == {(ScriptType.P2WPKH, "m/84'/0'/0'"), (ScriptType.P2TR, "m/86'/0'/0'")}


def test_descriptor_tracks_carry_single_chain_descriptors() -> None:
    event = requested(input=f"wpkh([73c5da0a/84h/0h/0h]{ZPUB}/<0;1>/*)")
    receive, change = event.tracks  # type: ignore[attr-defined]
    assert (receive.branch, change.branch) == (0, 1)
    assert receive.descriptor.startswith(f"wpkh([73c5da0a/84h/0h/0h]{ZPUB}/0/*)#")
    assert change.descriptor.startswith(f"wpkh([73c5da0a/84h/0h/0h]{ZPUB}/1/*)#")
    assert event.input_type == "descriptor"  # type: ignore[attr-defined]
    assert ZPUB not in event.input_display  # type: ignore[attr-defined]


def test_chains_without_a_provider_are_refused_with_a_reason() -> None:
    with pytest.raises(InputError, match="cannot scan Litecoin yet"):
        requested(input=ZPUB, chain="litecoin")
    with pytest.raises(InputError, match="unknown chain 'solana'"):
        requested(input=ZPUB, chain="solana")


def test_private_material_stays_a_422() -> None:
    xprv = (
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejM"
        "RNNU3TGtRBeJgk33yuGBxrMPHi"
    )
    with pytest.raises(PrivateKeyRefused):
        requested(input=f"wsh(sortedmulti(1,{xprv}/<0;1>/*,{ZPUB}/<0;1>/*))")


def test_testnet_network_comes_from_the_key() -> None:
    event = requested(
        input="vpub5Y6cjg78GGuNLsaPhmYsiw4gYX3HoQiRBiSwDaBXKUafCt9bNwWQiitDk5VZ5BVxYnQdwoTyXSs2JHRPAgjAvtbBrf8ZhDYe2jWAqvZVnsc"
    )
    assert event.network is Network.BITCOIN_TESTNET  # type: ignore[attr-defined]


def test_several_evm_chains_make_one_group_with_a_scan_per_chain() -> None:
    from datetime import UTC, datetime

    from walletscan_gateway.scan_requests import ScanRequest, plan_scans

    address = "0x5ca1ab1e00000000000000000000000000c0ffee"
    body = ScanRequest(input=address, chains=["ethereum", "base", "eth"])
    group, events = plan_scans(body, owner_id="u", now=datetime.now(UTC))
    # "eth" is Ethereum again: asked once.
    assert [e.network.value for e in events] == ["ethereum", "base"]
    assert [e.scan_id for e in events] == [f"{group}-ethereum", f"{group}-base"]
    assert {e.group_id for e in events} == {group}
    assert [e.group_position for e in events] == [0, 1]
    assert all(e.addresses[0].address == address for e in events)

    single, [event] = plan_scans(
        ScanRequest(input=address, chains=["base"]), owner_id="u", now=datetime.now(UTC)
    )
    assert event.scan_id == single
    assert event.group_id is None


def test_chain_and_chains_together_are_refused() -> None:
    from datetime import UTC, datetime

    import pytest
    from walletscan_gateway.scan_requests import ScanRequest, plan_scans
    from walletscan_keys import InputError

    body = ScanRequest(
        input="0x5ca1ab1e00000000000000000000000000c0ffee", chain="base", chains=["ethereum"]
    )
    with pytest.raises(InputError, match="either `chain` or `chains`"):
        plan_scans(body, owner_id="u", now=datetime.now(UTC))
