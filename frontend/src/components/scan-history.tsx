"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { TERMINAL, type ScanListItem, type ScanStatus } from "@/api/types";
import { api } from "@/lib/api";
import { CHAIN_LABELS, EVM_CHAINS, shorten, type ChainId } from "@/lib/detect";
import { formatDateTime, plural } from "@/lib/format";
import { Amount, StatusBadge } from "./bits";
import { WalletIcon } from "./icons";
import { Alert, Card, CardHeader, EmptyState, Pagination, Skeleton } from "./ui";

const PAGE_SIZE = 10;
/** A group shows each chain's balance up to this many chains, then just "multiple". */
const MAX_BALANCES = 3;

/** One line of the history: a scan, or the scans of a multi-chain group folded into one. */
export type HistoryRow =
  | { kind: "scan"; id: string; scan: ScanListItem }
  | { kind: "group"; id: string; scans: ScanListItem[] };

/**
 * Folds the children of each multi-chain group on the page into one row, where its newest
 * child was; the children in the order of the chain registry.
 */
export function historyRows(items: ScanListItem[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  const groups = new Map<string, ScanListItem[]>();
  for (const scan of items) {
    if (!scan.group_id) {
      rows.push({ kind: "scan", id: scan.id, scan });
      continue;
    }
    const known = groups.get(scan.group_id);
    if (known) {
      known.push(scan);
      continue;
    }
    const scans = [scan];
    groups.set(scan.group_id, scans);
    rows.push({ kind: "group", id: scan.group_id, scans });
  }
  const order = (chain: string) => {
    const i = EVM_CHAINS.indexOf(chain as ChainId);
    return i < 0 ? EVM_CHAINS.length : i;
  };
  for (const scans of groups.values()) scans.sort((a, b) => order(a.chain) - order(b.chain));
  return rows;
}

/** Running while any chain runs; completed when all did; failed when any failed. */
export function combinedStatus(scans: ScanListItem[]): ScanStatus {
  if (scans.every((s) => s.status === "queued")) return "queued";
  if (scans.some((s) => !TERMINAL.has(s.status))) return "running";
  return scans.every((s) => s.status === "completed") ? "completed" : "failed";
}

function chainNames(scans: ScanListItem[]): string {
  return scans.map((s) => CHAIN_LABELS[s.chain] ?? s.chain).join(", ");
}

function earliest(scans: ScanListItem[]): string | null {
  return scans.reduce<string | null>((first, s) => (s.requested_at && (!first || s.requested_at < first) ? s.requested_at : first), null);
}

/** Each chain's balance in its own unit: adding them up would mix ETH with POL and BNB. */
function GroupBalances({ scans, className }: { scans: ScanListItem[]; className?: string }) {
  const known = scans.filter((s) => s.balance !== null);
  if (known.length === 0) return <span className="text-slate-400">—</span>;
  if (scans.length > MAX_BALANCES) {
    return (
      <span className="text-slate-500 dark:text-slate-400" title="Balances are per chain: open the scan to see each one">
        multiple
      </span>
    );
  }
  return (
    <span className={`inline-flex flex-col items-end gap-0.5 ${className ?? ""}`}>
      {known.map((s) => (
        <span key={s.id} className="whitespace-nowrap text-xs" title={CHAIN_LABELS[s.chain] ?? s.chain}>
          <Amount value={s.balance} decimals={s.decimals} unit={s.unit} />
        </span>
      ))}
    </span>
  );
}

export function ScanHistory() {
  const [page, setPage] = useState(1);
  const scans = useQuery({
    queryKey: ["scans", page],
    queryFn: () => api.scans(page, PAGE_SIZE),
    placeholderData: keepPreviousData,
    // While a scan on this page runs, its status and balance change: follow them.
    refetchInterval: (query) => (query.state.data?.items.some((s) => !TERMINAL.has(s.status)) ? 3000 : false),
  });

  return (
    <Card aria-labelledby="history-title" className="mt-6 overflow-hidden">
      <CardHeader id="history-title" title="Your scans" description="Newest first. Open one to see its balance, history and reports." />
      {scans.isPending ? (
        <div className="space-y-3 p-5" aria-busy="true" aria-label="Loading scans">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-10 w-full" />
          ))}
        </div>
      ) : scans.isError ? (
        <div className="p-5">
          <Alert title="Your scans could not be loaded">{scans.error.message}</Alert>
        </div>
      ) : scans.data.total === 0 ? (
        <EmptyState title="No scans yet" icon={<WalletIcon width={32} height={32} />}>
          Paste an extended public key or an address above and press Scan. Results appear here.
        </EmptyState>
      ) : (
        <>
          {/* Phones: one card per scan. */}
          <ul className="divide-y divide-slate-100 md:hidden dark:divide-slate-800" aria-label="Scans">
            {historyRows(scans.data.items).map((row) =>
              row.kind === "group" ? (
                <li key={row.id}>
                  <Link href={`/scans/${row.id}`} className="block px-4 py-3 hover:bg-slate-50 dark:hover:bg-slate-800/50">
                    <div className="flex items-center justify-between gap-3">
                      <span className="truncate font-mono text-sm">{shorten(row.scans[0]?.input, 8, 6)}</span>
                      <StatusBadge status={combinedStatus(row.scans)} />
                    </div>
                    <div className="mt-1 flex items-start justify-between gap-3 text-sm text-slate-500 dark:text-slate-400">
                      <span>
                        <span title={chainNames(row.scans)}>{plural(row.scans.length, "chain")}</span> · {formatDateTime(earliest(row.scans))}
                      </span>
                      <GroupBalances scans={row.scans} className="text-slate-900 dark:text-white" />
                    </div>
                  </Link>
                </li>
              ) : (
                <ScanCard key={row.id} scan={row.scan} />
              ),
            )}
          </ul>
          {/* Wider screens: a table. */}
          <div className="hidden md:block">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Your scans, newest first</caption>
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-900/60 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-5 py-2.5 font-medium">Wallet</th>
                  <th scope="col" className="px-3 py-2.5 font-medium">Chain</th>
                  <th scope="col" className="px-3 py-2.5 font-medium">Status</th>
                  <th scope="col" className="px-3 py-2.5 text-right font-medium">Balance</th>
                  <th scope="col" className="px-5 py-2.5 text-right font-medium">Started</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {historyRows(scans.data.items).map((row) =>
                  row.kind === "group" ? (
                    <tr key={row.id} className="group relative hover:bg-slate-50 dark:hover:bg-slate-800/40">
                      <td className="px-5 py-3">
                        <Link
                          href={`/scans/${row.id}`}
                          className="font-mono text-[0.8125rem] text-slate-900 after:absolute after:inset-0 hover:underline dark:text-white"
                          title={row.scans[0]?.input ?? undefined}
                        >
                          {shorten(row.scans[0]?.input, 10, 8)}
                        </Link>
                        <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">{row.scans[0]?.input_type}</span>
                      </td>
                      <td className="px-3 py-3 text-slate-600 dark:text-slate-300">
                        {plural(row.scans.length, "chain")}
                        <span className="block text-xs text-slate-500 dark:text-slate-400">{chainNames(row.scans)}</span>
                      </td>
                      <td className="px-3 py-3">
                        <StatusBadge status={combinedStatus(row.scans)} />
                      </td>
                      <td className="px-3 py-3 text-right">
                        <GroupBalances scans={row.scans} />
                      </td>
                      <td className="num whitespace-nowrap px-5 py-3 text-right text-slate-500 dark:text-slate-400">{formatDateTime(earliest(row.scans))}</td>
                    </tr>
                  ) : (
                    <ScanRow key={row.id} scan={row.scan} />
                  ),
                )}
              </tbody>
            </table>
          </div>
          <Pagination label="Scan history pages" page={scans.data.page} pageSize={PAGE_SIZE} total={scans.data.total} onPage={setPage} />
        </>
      )}
    </Card>
  );
}

function ScanCard({ scan }: { scan: ScanListItem }) {
  return (
    <li>
      <Link href={`/scans/${scan.id}`} className="block px-4 py-3 hover:bg-slate-50 dark:hover:bg-slate-800/50">
        <div className="flex items-center justify-between gap-3">
          <span className="truncate font-mono text-sm">{shorten(scan.input, 8, 6)}</span>
          <StatusBadge status={scan.status} />
        </div>
        <div className="mt-1 flex items-center justify-between gap-3 text-sm text-slate-500 dark:text-slate-400">
          <span>
            {CHAIN_LABELS[scan.chain] ?? scan.chain} · {formatDateTime(scan.requested_at)}
          </span>
          {scan.balance !== null ? (
            <Amount value={scan.balance} decimals={scan.decimals} unit={scan.unit} className="text-slate-900 dark:text-white" />
          ) : null}
        </div>
      </Link>
    </li>
  );
}

function ScanRow({ scan }: { scan: ScanListItem }) {
  return (
    <tr className="group relative hover:bg-slate-50 dark:hover:bg-slate-800/40">
      <td className="px-5 py-3">
        <Link href={`/scans/${scan.id}`} className="font-mono text-[0.8125rem] text-slate-900 after:absolute after:inset-0 hover:underline dark:text-white" title={scan.input ?? undefined}>
          {shorten(scan.input, 10, 8)}
        </Link>
        <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">{scan.input_type}</span>
      </td>
      <td className="px-3 py-3 text-slate-600 dark:text-slate-300">{CHAIN_LABELS[scan.chain] ?? scan.chain}</td>
      <td className="px-3 py-3">
        <StatusBadge status={scan.status} />
      </td>
      <td className="px-3 py-3 text-right">
        {scan.balance !== null ? <Amount value={scan.balance} decimals={scan.decimals} unit={scan.unit} /> : <span className="text-slate-400">—</span>}
      </td>
      <td className="num whitespace-nowrap px-5 py-3 text-right text-slate-500 dark:text-slate-400">{formatDateTime(scan.requested_at)}</td>
    </tr>
  );
}
