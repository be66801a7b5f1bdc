"""EVM wallet accounting: gas for sent transactions (failed ones too), internal transfers,
self-transfers, tokens, reconciliation and the balance history, on hand-made facts."""

from __future__ import annotations

from walletscan_aggregator.evm_accounting import (
    EvmFacts,
    evm_history_document,
    evm_summary,
    evm_transaction_rows,
    fold_evm_wallet,
    reconcile_evm,
    token_documents,
)
from walletscan_contracts.chains import Network
from walletscan_contracts.events import EvmAccount, EvmTx, TokenBalance, TokenTransfer

W = "0x" + "aa" * 20
W2 = "0x" + "ab" * 20
OTHER = "0x" + "bb" * 20
TOKEN = "0x" + "cc" * 20
ETH = 10**18
DAY = 86_400
T0 = 1_700_000_000


def tx(
    txid: str, height: int, *, received: int = 0, sent: int = 0, fee: int = 0, **kw: object
) -> EvmTx:
    return EvmTx(
        txid=txid,
        block_height=height,
        block_time=T0 + height * DAY,
        received=str(received),
        sent=str(sent),
        fee=str(fee),
        **kw,  # type: ignore[arg-type]
    )


def transfer(txid: str, height: int, frm: str, to: str, value: int, log: int = 0) -> TokenTransfer:
    return TokenTransfer(
        txid=txid,
        log_index=log,
        token=TOKEN,
        from_address=frm,
        to_address=to,
        value=str(value),
        block_height=height,
        block_time=T0 + height * DAY,
    )


def account(address: str, balance: int) -> EvmAccount:
    return EvmAccount(address=address, balance=str(balance), block_height=100)


def scenario_facts() -> EvmFacts:
    txs = [
        tx("in", 1, received=5 * ETH, from_address=OTHER, to_address=W),
        tx("out", 2, sent=ETH, fee=21, from_address=W, to_address=OTHER),
        tx("self", 3, received=ETH, sent=ETH, fee=22, from_address=W, to_address=W),
        tx("failed", 4, fee=50, failed=True, value=str(ETH), from_address=W, to_address=OTHER),
        tx("internal", 5, received=ETH // 4, internal=True, from_address=OTHER, to_address=OTHER),
        tx("token_out", 7, fee=30, from_address=W, to_address=TOKEN),
    ]
    transfers = [
        transfer("token_in", 6, OTHER, W, 1_000),
        transfer("token_out", 7, W, OTHER, 250),
        transfer("token_self", 8, W, W, 7),
    ]
    txs.append(tx("token_self", 8, fee=10, from_address=W, to_address=TOKEN))
    balance = 5 * ETH - ETH - 21 - 22 - 50 + ETH // 4 - 30 - 10
    return EvmFacts(
        account=account(W, balance),
        txs=txs,
        transfers=transfers,
        tokens=[
            TokenBalance(token=TOKEN, symbol="SCN", name="Scenario", decimals=18, balance="750")
        ],
    )


def test_native_totals_gas_failed_internal_and_self() -> None:
    facts = {W: scenario_facts()}
    ledger = fold_evm_wallet(facts, tip_height=100)
    by_id = {t.txid: t for t in ledger.transactions}
    assert by_id["out"].delta == -ETH - 21 and by_id["out"].direction == "out"
    assert by_id["self"].delta == -22 and by_id["self"].direction == "self"
    assert by_id["failed"].delta == -50 and by_id["failed"].failed
    assert by_id["internal"].delta == ETH // 4 and by_id["internal"].internal
    assert by_id["internal"].direction == "in"
    assert by_id["token_in"].delta == 0 and by_id["token_in"].direction == "in"
    assert by_id["token_in"].token_deltas == {TOKEN: 1_000}
    assert by_id["token_out"].token_deltas == {TOKEN: -250}
    assert by_id["token_out"].direction == "out"
    assert by_id["token_self"].direction == "self" and by_id["token_self"].delta == -10
    t = ledger.totals
    assert t.tx_count == 8
    assert t.total_fees == 21 + 22 + 50 + 30 + 10
    assert t.total_received == 5 * ETH + ETH // 4
    assert t.total_sent == ETH + 21 + 22 + 50 + 30 + 10
    assert t.balance == t.total_received - t.total_sent == int(facts[W].account.balance)  # type: ignore[union-attr]
    # Newest first.
    assert [r.block_height for r in ledger.transactions] == sorted(
        (r.block_height for r in ledger.transactions), reverse=True
    )
    (token,) = ledger.tokens
    assert (token.received, token.sent, token.balance, token.symbol) == (1_000, 250, 750, "SCN")
    assert token.transfer_count == 3


def test_reconciliation_holds_and_a_wrong_balance_is_shown() -> None:
    facts = {W: scenario_facts()}
    assert reconcile_evm(facts).reconciled
    off = scenario_facts()
    off = EvmFacts(
        account=account(W, int(off.account.balance) + 1),  # type: ignore[union-attr]
        txs=off.txs,
        transfers=off.transfers,
        tokens=off.tokens,
    )
    result = reconcile_evm({W: off})
    assert not result.reconciled
    (mismatch,) = result.mismatches
    assert mismatch.provider_balance == mismatch.rebuilt_balance + 1


def test_a_token_balance_that_does_not_add_up_or_is_unknown_is_a_mismatch() -> None:
    base = scenario_facts()
    for balance in ("751", None):
        facts = EvmFacts(
            account=base.account,
            txs=base.txs,
            transfers=base.transfers,
            tokens=[TokenBalance(token=TOKEN, decimals=18, balance=balance)],
        )
        result = reconcile_evm({W: facts})
        assert not result.reconciled
        assert result.mismatches[0].token_mismatches[0].token == TOKEN
        (doc,) = token_documents(result)
        assert doc["reconciled"] is False and doc["balance"] == "750"


def test_transfers_between_two_wallet_addresses_count_once_and_net_to_the_fee() -> None:
    pay = tx("move", 10, sent=2 * ETH, fee=21, from_address=W, to_address=W2)
    got = tx("move", 10, received=2 * ETH, from_address=W, to_address=W2)
    token_move = transfer("tmove", 11, W, W2, 40)
    facts = {
        W: EvmFacts(
            account=account(W, 3 * ETH - 21 - 5),
            txs=[
                tx("fund", 9, received=5 * ETH, from_address=OTHER, to_address=W),
                pay,
                tx("tmove", 11, fee=5, from_address=W, to_address=TOKEN),
            ],
            transfers=[transfer("tfund", 9, OTHER, W, 100), token_move],
            tokens=[TokenBalance(token=TOKEN, decimals=0, balance="60")],
        ),
        W2: EvmFacts(
            account=account(W2, 2 * ETH),
            txs=[got],
            transfers=[token_move],
            tokens=[TokenBalance(token=TOKEN, decimals=0, balance="40")],
        ),
    }
    ledger = fold_evm_wallet(facts, tip_height=20)
    move = next(t for t in ledger.transactions if t.txid == "move")
    assert move.delta == -21 and move.direction == "self" and move.addresses == [W, W2]
    tmove = next(t for t in ledger.transactions if t.txid == "tmove")
    assert tmove.token_deltas == {TOKEN: 0} and tmove.direction == "self"
    (token,) = ledger.tokens
    assert (token.received, token.sent, token.balance) == (100, 0, 100)
    assert token.transfer_count == 2  # the shared event counted once
    assert reconcile_evm(facts).reconciled
    assert ledger.totals.used_address_count == 2


def test_redelivered_facts_change_nothing() -> None:
    once = scenario_facts()
    twice = EvmFacts(
        account=once.account,
        txs=once.txs + once.txs,
        transfers=once.transfers + once.transfers,
        tokens=once.tokens,
    )
    assert fold_evm_wallet({W: twice}, tip_height=100) == fold_evm_wallet({W: once}, tip_height=100)
    assert reconcile_evm({W: twice}).reconciled


def test_documents_carry_amounts_as_decimal_strings() -> None:
    # 10,000 ETH in wei does not fit int64: every amount leaves as text.
    big = 10_000 * ETH
    facts = {
        W: EvmFacts(
            account=account(W, big),
            txs=[tx("genesis", 0, received=big, to_address=W)],
        )
    }
    ledger = fold_evm_wallet(facts, tip_height=5)
    summary = evm_summary(
        ledger, reconcile_evm(facts), network=Network.ETHEREUM, scanned_addresses=1
    )
    assert summary["balance"] == str(big) and summary["unit"] == "ETH" and summary["decimals"] == 18
    assert summary["reconciled"] is True and summary["tx_count"] == 1
    (row,) = evm_transaction_rows(ledger)
    assert row["delta"] == str(big) and row["direction"] == "in"
    history = evm_history_document(ledger)
    assert history["day"][-1]["balance"] == str(big)


def test_history_runs_in_chain_order_and_ends_at_the_balance() -> None:
    facts = {W: scenario_facts()}
    ledger = fold_evm_wallet(facts, tip_height=100)
    days = evm_history_document(ledger)["day"]
    assert len(days) == 8  # one tx per day in these facts
    assert int(days[-1]["balance"]) == ledger.totals.balance
    assert int(days[0]["balance"]) == 5 * ETH
