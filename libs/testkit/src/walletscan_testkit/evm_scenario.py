"""The EVM scan scenario, played on a real anvil node: every case the EVM accounting must get
right, done for real so the node itself says what the right numbers are.

The scanned wallet `W` is a fresh address (not one of anvil's pre-funded dev accounts, whose
genesis balance no transaction explains); anvil's impersonation lets it send without a key.
Cases, in chain order:

 1. a plain transfer in (funder -> W)
 2. a plain transfer out (W -> other), paying gas
 3. a self-transfer (W -> W): only the gas leaves
 4. a failed transaction with value (W -> forwarder.refuse, reverts): gas paid, value kept
 5. an internal transfer in (funder -> forwarder.forward(W)): W is in no tx field
 6. W pays through the forwarder (W -> forwarder.forward(other)): a plain out for W
 7. W forwards to itself (W -> forwarder.forward(W)): value out and back, only gas leaves
 8. an internal transfer in next to one to someone else (forwarder.split(W, other))
 9. tokens: two ERC-20s deployed by the funder (18 and 6 decimals); transfers in, out, a token
    self-transfer, and a failed token transfer (more than the balance, reverts, gas paid).

`Expected` is written down from the receipts as each step is mined (gas used × effective gas
price, status) — not from any walletscan code — and checked against eth_getBalance and
balanceOf at the end, so a test comparing a provider with it compares with the chain.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from walletscan_keys.evm_abi import encode_call, encode_constructor

from walletscan_testkit.anvil import AnvilNode, compile_contracts

ETHER = 10**18
SCANNED = "0x5ca1ab1e00000000000000000000000000c0ffee"  # the wallet: fresh, not pre-funded
UNUSED = "0x00000000000000000000000000000000deadbeef"  # an address with no history at all


@dataclass(frozen=True, slots=True)
class ExpectedTx:
    txid: str
    block_height: int
    block_time: int
    delta: int  # wei, the wallet's native change, gas included
    fee: int  # wei the wallet paid for gas (0 unless it sent the tx)
    failed: bool
    token_deltas: dict[str, int]  # token contract -> base units
    label: str


@dataclass
class Expected:
    address: str
    txs: list[ExpectedTx] = field(default_factory=list)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # contract -> metadata

    @property
    def balance(self) -> int:
        return sum(t.delta for t in self.txs)

    @property
    def total_received(self) -> int:
        return sum(t.delta for t in self.txs if t.delta > 0)

    @property
    def total_sent(self) -> int:
        return sum(-t.delta for t in self.txs if t.delta < 0)

    @property
    def total_fees(self) -> int:
        return sum(t.fee for t in self.txs)

    @property
    def sent_count(self) -> int:
        return sum(1 for t in self.txs if t.fee > 0)

    def token_balance(self, token: str) -> int:
        return sum(t.token_deltas.get(token, 0) for t in self.txs)

    def token_flows(self, token: str) -> tuple[int, int]:
        """(received, sent) in base units, transfers within the wallet left out."""
        received = self.tokens[token]["received"]
        sent = self.tokens[token]["sent"]
        return int(received), int(sent)

    def by_txid(self) -> dict[str, ExpectedTx]:
        return {t.txid: t for t in self.txs}


@dataclass
class EvmScenario:
    node: AnvilNode
    wallet: str
    funder: str
    other: str
    forwarder: str
    token18: str
    token6: str
    expected: Expected
    labels: dict[str, str]  # label -> txid
    deploy_block: int

    @property
    def tip(self) -> int:
        return self.node.block_number()


class _Player:
    def __init__(self, node: AnvilNode) -> None:
        self.node = node
        self.wallet = SCANNED
        accounts = node.accounts()
        self.funder, self.other = accounts[0], accounts[2]
        self.expected = Expected(address=SCANNED)
        self.labels: dict[str, str] = {}
        self.token_flows: dict[str, dict[str, int]] = defaultdict(
            lambda: {"received": 0, "sent": 0}
        )

    def send(
        self,
        label: str,
        sender: str,
        to: str | None,
        *,
        value: int = 0,
        data: str = "0x",
        gas: int | None = None,
        native_in: int = 0,
        native_out: int = 0,
        token_deltas: dict[str, int] | None = None,
    ) -> dict[str, Any]:
        """Send and mine one transaction; record what it means for the wallet.

        `native_in` / `native_out` are the wallet's value movements besides the gas, stated
        by the scenario (what the transaction is meant to do); a failed one moves none."""
        tx: dict[str, Any] = {"from": sender, "value": hex(value), "data": data}
        if to is not None:
            tx["to"] = to
        if gas is not None:  # reverting calls cannot be gas-estimated
            tx["gas"] = hex(gas)
        txid = str(self.node.rpc("eth_sendTransaction", tx))
        receipt = self.node.receipt(txid)
        block = self.node.rpc("eth_getBlockByNumber", receipt["blockNumber"], False)
        failed = receipt["status"] != "0x1"
        fee = (
            int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
            if sender.lower() == self.wallet
            else 0
        )
        moved = 0 if failed else native_in - native_out
        tokens = {} if failed else dict(token_deltas or {})
        touches = sender.lower() == self.wallet or moved != 0 or tokens
        if label:
            self.labels[label] = txid
        if touches:
            self.expected.txs.append(
                ExpectedTx(
                    txid=txid,
                    block_height=int(receipt["blockNumber"], 16),
                    block_time=int(block["timestamp"], 16),
                    delta=moved - fee,
                    fee=fee,
                    failed=failed,
                    token_deltas=tokens,
                    label=label,
                )
            )
        return dict(receipt)

    def deploy(self, artifact: dict[str, Any], types: list[str], *args: object) -> str:
        data = artifact["bytecode"] + encode_constructor(types, *args)
        receipt = self.send("", self.funder, None, data=data)
        return str(receipt["contractAddress"]).lower()

    def token_move(
        self, label: str, token: str, sender: str, to: str, amount: int, *, gas: int | None = None
    ) -> None:
        w = self.wallet
        delta = (amount if to.lower() == w else 0) - (amount if sender.lower() == w else 0)
        receipt = self.send(
            label,
            sender,
            token,
            data=encode_call("transfer(address,uint256)", to, amount),
            gas=gas,
            token_deltas={token: delta} if (sender.lower() == w or to.lower() == w) else {},
        )
        if receipt["status"] == "0x1" and (to.lower() == w) != (sender.lower() == w):
            # Wallet level: a transfer from the wallet to itself is neither income nor spending.
            flows = self.token_flows[token]
            if to.lower() == w:
                flows["received"] += amount
            else:
                flows["sent"] += amount


def play_scenario(node: AnvilNode) -> EvmScenario:
    artifacts = compile_contracts()
    p = _Player(node)
    w, f, o = p.wallet, p.funder, p.other
    node.rpc("anvil_impersonateAccount", w)
    deploy_block = node.block_number() + 1
    forwarder = p.deploy(artifacts["EthForwarder"], [])
    token18 = p.deploy(
        artifacts["ScenarioToken"],
        ["string", "string", "uint8", "uint256"],
        "Scenario Token",
        "SCN",
        18,
        1_000_000 * ETHER,
    )
    token6 = p.deploy(
        artifacts["ScenarioToken"],
        ["string", "string", "uint8", "uint256"],
        "Six Decimals Dollar",
        "SIX",
        6,
        10_000_000 * 10**6,
    )

    p.send("plain_in", f, w, value=5 * ETHER, native_in=5 * ETHER)
    p.send("plain_out", w, o, value=ETHER, native_out=ETHER)
    p.send("self_transfer", w, w, value=ETHER // 10)  # out and back in: only the gas
    p.send(
        "failed",
        w,
        forwarder,
        value=ETHER // 2,
        data=encode_call("refuse()"),
        gas=100_000,
        native_out=ETHER // 2,  # would have left; the revert keeps it
    )
    p.send(
        "internal_in",
        f,
        forwarder,
        value=ETHER // 4,
        data=encode_call("forward(address)", w),
        native_in=ETHER // 4,
    )
    p.send(
        "pay_via_contract",
        w,
        forwarder,
        value=3 * ETHER // 10,
        data=encode_call("forward(address)", o),
        native_out=3 * ETHER // 10,
    )
    p.send(
        "forward_to_self",
        w,
        forwarder,
        value=ETHER // 5,
        data=encode_call("forward(address)", w),
        native_in=ETHER // 5,
        native_out=ETHER // 5,
    )
    p.send(
        "split_in",
        f,
        forwarder,
        value=ETHER,
        data=encode_call("split(address,address)", w, o),
        native_in=ETHER // 2,
    )
    p.token_move("token_in", token18, f, w, 1_000 * ETHER)
    p.token_move("token_out", token18, w, o, 250 * ETHER)
    p.token_move("token6_in", token6, f, w, 12_345_678)
    p.token_move("token6_self", token6, w, w, 1_000_000)
    p.token_move("token_failed", token18, w, o, 10**30, gas=100_000)
    p.token_move("token6_out", token6, w, o, 345_678)
    # Someone else's activity on the same token after the wallet's: must not show up.
    p.token_move("", token18, f, o, 7 * ETHER)

    for token, symbol, name, decimals in (
        (token18, "SCN", "Scenario Token", 18),
        (token6, "SIX", "Six Decimals Dollar", 6),
    ):
        flows = p.token_flows[token]
        p.expected.tokens[token] = {
            "symbol": symbol,
            "name": name,
            "decimals": decimals,
            "received": flows["received"],
            "sent": flows["sent"],
        }
    scenario = EvmScenario(
        node=node,
        wallet=w,
        funder=f.lower(),
        other=o.lower(),
        forwarder=forwarder,
        token18=token18,
        token6=token6,
        expected=p.expected,
        labels=p.labels,
        deploy_block=deploy_block,
    )
    _check_against_node(scenario)
    return scenario


def _check_against_node(s: EvmScenario) -> None:
    """The written-down expectations must agree with the node itself, or the scenario (not
    the code under test) is wrong."""
    on_chain = s.node.balance(s.wallet)
    if on_chain != s.expected.balance:
        msg = f"scenario bookkeeping: node says {on_chain}, expected {s.expected.balance}"
        raise AssertionError(msg)
    for token in (s.token18, s.token6):
        raw = s.node.rpc(
            "eth_call", {"to": token, "data": encode_call("balanceOf(address)", s.wallet)}, "latest"
        )
        if int(raw, 16) != s.expected.token_balance(token):
            msg = f"scenario bookkeeping: token {token} balance {int(raw, 16)}"
            raise AssertionError(msg)


__all__ = ["ETHER", "SCANNED", "UNUSED", "EvmScenario", "Expected", "ExpectedTx", "play_scenario"]
