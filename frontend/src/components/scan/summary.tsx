"use client";

import { useId } from "react";
import type { Reconciliation, ScanSummary } from "@/api/types";
import { formatAmount, formatUnits, parseBaseUnits } from "@/lib/amount";
import { formatDate, formatCount } from "@/lib/format";
import { Amount } from "../bits";
import { AlertIcon, ShieldCheckIcon } from "../icons";
import { Card, cx } from "../ui";

function Stat({
  label,
  children,
  sub,
  emphasis = false,
  testId,
  className,
}: {
  label: string;
  children: React.ReactNode;
  sub?: React.ReactNode;
  emphasis?: boolean;
  testId: string;
  className?: string;
}) {
  return (
    <div
      data-testid={testId}
      className={cx(
        "min-w-0 rounded-2xl border p-4 shadow-sm",
        className,
        emphasis
          ? "border-brand-200 bg-gradient-to-br from-brand-50 to-white dark:border-brand-500/30 dark:from-brand-500/15 dark:to-slate-900"
          : "border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900",
      )}
    >
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className={cx("mt-1.5 font-semibold tracking-tight", emphasis ? "text-2xl sm:text-3xl" : "text-lg sm:text-xl")}>{children}</dd>
      {sub ? <dd className="mt-1 text-xs text-slate-500 dark:text-slate-400">{sub}</dd> : null}
    </div>
  );
}

export function SummaryCards({ summary, unit, decimals }: { summary: ScanSummary; unit: string; decimals: number }) {
  const pending = parseBaseUnits(summary.unconfirmed_balance);
  return (
    <dl className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-12" aria-label="Summary">
      <Stat
        label="Balance"
        emphasis
        className="col-span-2 lg:col-span-6"
        testId="stat-balance"
        sub={
          pending !== 0n ? (
            <span className="flex flex-wrap gap-x-3 gap-y-0.5">
              <span>
                <Amount value={summary.confirmed_balance} decimals={decimals} unit={unit} /> confirmed
              </span>
              <span>
                <Amount value={summary.unconfirmed_balance} decimals={decimals} unit={unit} signed /> pending
              </span>
            </span>
          ) : (
            "All confirmed"
          )
        }
      >
        <Amount value={summary.balance} decimals={decimals} unit={unit} />
      </Stat>
      <Stat label="Transactions" className="lg:col-span-3" testId="stat-transactions" sub={summary.first_seen ? `${formatDate(summary.first_seen)} – ${formatDate(summary.last_seen)}` : "No activity"}>
        <span className="num">{formatCount(summary.tx_count)}</span>
      </Stat>
      <Stat label="Addresses used" className="lg:col-span-3" testId="stat-addresses" sub={`of ${formatCount(summary.scanned_address_count)} scanned`}>
        <span className="num">{formatCount(summary.used_address_count)}</span>
      </Stat>
      <Stat label="Received" className="lg:col-span-4" testId="stat-received" sub="Into the wallet">
        <Amount value={summary.total_received} decimals={decimals} unit={unit} />
      </Stat>
      <Stat label="Sent" className="lg:col-span-4" testId="stat-sent" sub="Out of the wallet, fees included">
        <Amount value={summary.total_sent} decimals={decimals} unit={unit} />
      </Stat>
      <Stat label="Fees" className="col-span-2 lg:col-span-4" testId="stat-fees" sub="Paid by this wallet">
        <Amount value={summary.total_fees} decimals={decimals} unit={unit} />
      </Stat>
    </dl>
  );
}

export function ReconciliationVerdict({
  reconciliation,
  reconciled,
  unit,
  decimals,
}: {
  reconciliation: Reconciliation | null;
  reconciled: boolean;
  unit: string;
  decimals: number;
}) {
  const ok = reconciliation?.reconciled ?? reconciled;
  const rebuilt = reconciliation?.rebuilt_balance ?? null;
  const provider = reconciliation?.provider_balance ?? null;
  const fmt = (v: string | null) => (v === null ? "—" : formatAmount(v, decimals, unit));
  const difference = rebuilt !== null && provider !== null ? parseBaseUnits(rebuilt) - parseBaseUnits(provider) : null;
  const mismatches = reconciliation?.mismatches ?? [];
  const titleId = useId();

  return (
    <Card
      aria-labelledby={titleId}
      className={cx(
        "p-4 sm:p-5",
        ok ? "border-emerald-200 dark:border-emerald-500/30" : "border-amber-300 bg-amber-50/60 dark:border-amber-500/40 dark:bg-amber-500/5",
      )}
    >
      <div className="flex items-start gap-3">
        <div className={cx("rounded-full p-2", ok ? "bg-emerald-100 text-emerald-700 dark:bg-emerald-500/15 dark:text-emerald-400" : "bg-amber-100 text-amber-800 dark:bg-amber-500/15 dark:text-amber-300")}>
          {ok ? <ShieldCheckIcon width={20} height={20} /> : <AlertIcon width={20} height={20} />}
        </div>
        <div className="min-w-0 flex-1">
          <h2 id={titleId} className="font-semibold">
            {ok ? "Reconciled: the numbers add up" : "Not reconciled: the numbers disagree"}
          </h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
            {ok ? (
              <>
                Replaying every transaction gives a balance of <span className="num font-medium">{fmt(rebuilt)}</span>, exactly what the
                blockchain data provider reports for these addresses. Nothing is missing or counted twice.
              </>
            ) : (
              <>
                Replaying every transaction gives <span className="num font-medium">{fmt(rebuilt)}</span>, but the data provider reports{" "}
                <span className="num font-medium">{fmt(provider)}</span>
                {difference !== null ? (
                  <>
                    {" "}
                    (a difference of <span className="num font-medium">{formatUnits(difference, decimals, { signed: true })} {unit}</span>)
                  </>
                ) : null}
                . Some history may be missing or still settling: scan again later, and check the addresses below before relying on
                these totals.
              </>
            )}
          </p>
          {!ok && mismatches.length > 0 ? (
            <ul className="mt-3 space-y-1 text-sm">
              {mismatches.slice(0, 10).map((m) => (
                <li key={m.address} className="flex flex-wrap gap-x-3 font-mono text-xs">
                  <span className="break-all">{m.address}</span>
                  <span className="num text-slate-600 dark:text-slate-400">
                    rebuilt {fmt(m.rebuilt_balance)} · provider {fmt(m.provider_balance)}
                  </span>
                </li>
              ))}
              {mismatches.length > 10 ? <li className="text-xs text-slate-500">and {mismatches.length - 10} more</li> : null}
            </ul>
          ) : null}
        </div>
      </div>
    </Card>
  );
}
