"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { TERMINAL } from "@/api/types";
import { api } from "@/lib/api";
import { CHAIN_LABELS, shorten } from "@/lib/detect";
import { formatDateTime } from "@/lib/format";
import { Amount, StatusBadge } from "./bits";
import { WalletIcon } from "./icons";
import { Alert, Card, CardHeader, EmptyState, Pagination, Skeleton } from "./ui";

const PAGE_SIZE = 10;

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
            {scans.data.items.map((scan) => (
              <li key={scan.id}>
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
            ))}
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
                {scans.data.items.map((scan) => (
                  <tr key={scan.id} className="group relative hover:bg-slate-50 dark:hover:bg-slate-800/40">
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
                ))}
              </tbody>
            </table>
          </div>
          <Pagination label="Scan history pages" page={scans.data.page} pageSize={PAGE_SIZE} total={scans.data.total} onPage={setPage} />
        </>
      )}
    </Card>
  );
}
