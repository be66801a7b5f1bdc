"""Which script types of a probed xpub hold history: per type, scanned and used addresses and
balance, in the order the scan's tracks list them."""

from __future__ import annotations

from walletscan_aggregator.service import script_type_results


def test_only_native_segwit_used() -> None:
    addresses = [
        {"script_type": "p2pkh", "used": False, "balance": 0},
        {"script_type": "p2pkh", "used": False, "balance": 0},
        {"script_type": "p2sh-p2wpkh", "used": False, "balance": 0},
        {"script_type": "p2wpkh", "used": True, "balance": 1_000},
        {"script_type": "p2wpkh", "used": True, "balance": 0},
        {"script_type": "p2wpkh", "used": False, "balance": 0},
    ]
    tracks = ["p2pkh", "p2pkh", "p2sh-p2wpkh", "p2sh-p2wpkh", "p2wpkh", "p2wpkh"]
    assert script_type_results(addresses, tracks) == [
        {"script_type": "p2pkh", "scanned": 2, "used": 0, "balance": 0, "has_history": False},
        {
            "script_type": "p2sh-p2wpkh",
            "scanned": 1,
            "used": 0,
            "balance": 0,
            "has_history": False,
        },
        {"script_type": "p2wpkh", "scanned": 3, "used": 2, "balance": 1_000, "has_history": True},
    ]


def test_addresses_of_other_types_are_ignored() -> None:
    # Addresses given directly carry their own type and no track lists it.
    rows = script_type_results([{"script_type": None, "used": True, "balance": 5}], [])
    assert rows == []
