"""`walletscan`: check a key, descriptor or address list before scanning it.

walletscan derive INPUT [--branch receive|change|both] [--start I] [--count N]
                        [--script-type T]... [--chain C] [--legacy] [--json]
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from walletscan_keys.errors import InputError
from walletscan_keys.listing import BRANCHES, chain_named, list_addresses

app = typer.Typer(
    help="walletscan command-line tools (no network access, no private keys).",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """walletscan command-line tools."""


@app.command()
def derive(
    input_: Annotated[
        str,
        typer.Argument(
            metavar="INPUT",
            help="extended public key (xpub/ypub/zpub/…/Ltub/dgub), output descriptor, or "
            "addresses separated by spaces or commas",
        ),
    ],
    branch: Annotated[str, typer.Option(help="receive, change or both")] = "both",
    start: Annotated[int, typer.Option(min=0, help="first address index")] = 0,
    count: Annotated[int, typer.Option(min=0, help="addresses per chain")] = 20,
    script_type: Annotated[
        list[str] | None,
        typer.Option(
            "--script-type",
            help="p2pkh, p2sh-p2wpkh, p2wpkh or p2tr (repeatable); a bare xpub is shown with "
            "every type a scan probes",
        ),
    ] = None,
    chain: Annotated[
        str | None,
        typer.Option(help="chain of a key with Bitcoin version bytes: litecoin, dogecoin, bch"),
    ] = None,
    legacy: Annotated[
        bool, typer.Option("--legacy", help="Bitcoin Cash: legacy addresses, not cashaddr")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Print index, path, script type and address of the addresses INPUT stands for."""
    try:
        if branch not in BRANCHES:
            raise InputError(f"--branch must be receive, change or both, not {branch!r}")
        parsed, rows = list_addresses(
            input_,
            branch=branch,
            start=start,
            count=count,
            script_types=script_type,
            network=chain_named(chain),
            legacy_format=legacy,
        )
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        document = {
            "input_type": parsed.input_type,
            "network": parsed.network.value,
            "script_types": [t.value for t in parsed.script_types],
            "probing": parsed.probing,
            "addresses": [r.as_json() for r in rows],
        }
        typer.echo(json.dumps(document, indent=2))
        return
    types = ", ".join(t.value for t in parsed.script_types)
    typer.echo(f"# {parsed.display}: {parsed.input_type} on {parsed.network.value} ({types})")
    if parsed.probing:
        typer.echo("# the key does not say its script type: a scan probes each of these")
    width = max((len(r.path) for r in rows), default=4)
    for row in rows:
        typer.echo(f"{row.index:>6}  {row.path:<{width}}  {row.script_type:<12}  {row.address}")


if __name__ == "__main__":
    app()
