"""Pure derivation logic: which addresses a command yields and which fetch commands follow."""

from __future__ import annotations

from walletscan_contracts import subjects
from walletscan_contracts.events import (
    ADDRESS_TRACK,
    AddressesDerived,
    DeriveBatch,
    DerivedAddress,
    FetchAddress,
    ScanRequested,
)
from walletscan_keys import DerivedKeyAddress, derive_addresses, derive_descriptor_addresses


def derive_track(cmd: DeriveBatch) -> list[DerivedKeyAddress]:
    """A track of an account key (script type + branch) or of a single-chain descriptor."""
    track = cmd.track
    if track.descriptor is not None:
        return derive_descriptor_addresses(
            track.descriptor, cmd.start, cmd.count, network=cmd.network
        )
    return derive_addresses(
        track.key, track.script_type, track.branch, cmd.start, cmd.count, network=cmd.network
    )


def derive_batch(cmd: DeriveBatch) -> AddressesDerived:
    """Addresses [start, start+count) of one track. CPU-bound: run it in a thread."""
    track = cmd.track
    derived = derive_track(cmd)
    return AddressesDerived(
        scan_id=cmd.scan_id,
        network=cmd.network,
        track_id=track.id,
        start=cmd.start,
        addresses=[
            DerivedAddress(
                address=d.address,
                script_type=track.script_type,
                track_id=track.id,
                branch=track.branch,
                index=d.index,
                path=f"{track.path_prefix}/{d.path_suffix}",
            )
            for d in derived
        ],
    )


def given_addresses(req: ScanRequested) -> AddressesDerived:
    """A scan of addresses given directly: they are 'derived' as one batch, in input order."""
    return AddressesDerived(
        scan_id=req.scan_id,
        network=req.network,
        track_id=ADDRESS_TRACK,
        start=0,
        addresses=[
            DerivedAddress(
                address=a.address, script_type=a.script_type, track_id=ADDRESS_TRACK, index=i
            )
            for i, a in enumerate(req.addresses)
        ],
    )


def fetch_commands(
    derived: AddressesDerived, provider: str, *, resume: int = 0
) -> list[tuple[FetchAddress, str]]:
    """One fetch command per address with its deterministic message id."""
    return [
        (
            FetchAddress(
                scan_id=derived.scan_id,
                network=derived.network,
                address=a.address,
                track_id=a.track_id,
                index=a.index,
                resume=resume,
            ),
            subjects.fetch_msg_id(derived.scan_id, provider, a.track_id, a.index, resume),
        )
        for a in derived.addresses
    ]
