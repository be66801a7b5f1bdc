"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback } from "react";
import { TERMINAL } from "@/api/types";
import { api, ApiError, reportUrl } from "@/lib/api";
import { CHAIN_LABELS, SCRIPT_LABELS } from "@/lib/detect";
import { formatDateTime, formatDuration } from "@/lib/format";
import { useScanEvents } from "@/lib/use-scan-events";
import { CopyButton, StatusBadge } from "../bits";
import { AlertIcon, DownloadIcon } from "../icons";
import { Tabs } from "../tabs";
import { Alert, Badge, ButtonLink, Card, EmptyState, Skeleton, cx } from "../ui";
import { BalanceChart, FlowChart } from "./charts";
import { ScanProgress } from "./progress";
import { ReconciliationVerdict, SummaryCards } from "./summary";
import { AddressesTable, TokensTable, TransactionsTable, UtxosTable } from "./tables";

const EVM = new Set(["ethereum", "sepolia", "polygon", "bsc", "arbitrum", "optimism", "base"]);

function DownloadLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <a
      href={href}
      download
      className="inline-flex items-center gap-1.5 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800"
    >
      <DownloadIcon />
      {children}
    </a>
  );
}

export function ScanPage({ scanId }: { scanId: string }) {
  const queryClient = useQueryClient();
  const scan = useQuery({
    queryKey: ["scan", scanId],
    queryFn: () => api.scan(scanId),
    // The WebSocket drives updates; a slow poll is the safety net if it cannot connect.
    refetchInterval: (query) => (query.state.data && !TERMINAL.has(query.state.data.status) ? 10_000 : false),
  });
  const running = scan.data !== undefined && !TERMINAL.has(scan.data.status);

  const onEnd = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: ["scan", scanId] });
    void queryClient.invalidateQueries({ queryKey: ["scans"] });
  }, [queryClient, scanId]);
  const { progress, connection } = useScanEvents(scanId, running, onEnd);

  if (scan.isPending) {
    return (
      <div className="space-y-4" aria-busy="true" aria-label="Loading scan">
        <Skeleton className="h-16 w-2/3" />
        <Skeleton className="h-32 w-full" />
        <Skeleton className="h-72 w-full" />
      </div>
    );
  }
  if (scan.isError) {
    const missing = scan.error instanceof ApiError && scan.error.status === 404;
    return (
      <Card className="mx-auto max-w-lg">
        <EmptyState title={missing ? "Scan not found" : "This scan could not be loaded"} icon={<AlertIcon width={32} height={32} />}>
          <p>{missing ? "It does not exist, or it belongs to another account." : scan.error.message}</p>
          <ButtonLink href="/" className="mt-4">
            Back to your scans
          </ButtonLink>
        </EmptyState>
      </Card>
    );
  }

  const s = scan.data;
  const liveStatus = progress?.status ?? s.status;
  const state = progress && !TERMINAL.has(s.status)
    ? progress
    : { status: s.status, ...s.progress };
  const chainLabel = CHAIN_LABELS[s.chain] ?? s.chain;
  const took = formatDuration(s.requested_at, s.completed_at);

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/" className="text-slate-500 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white">
          ← Your scans
        </Link>
      </nav>

      <header className="flex flex-col gap-4 md:flex-row md:items-start md:justify-between">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <StatusBadge status={TERMINAL.has(s.status) ? s.status : liveStatus} />
            <Badge tone="info">{chainLabel}</Badge>
            {s.input_type ? <Badge>{s.input_type}</Badge> : null}
            {s.script_types.map((t) => (
              <Badge key={t}>{SCRIPT_LABELS[t] ?? t}</Badge>
            ))}
          </div>
          <div className="mt-2 flex min-w-0 items-center gap-1">
            <h1 className="min-w-0 truncate font-mono text-lg font-semibold tracking-tight sm:text-xl" title={s.input ?? undefined}>
              {s.input ?? "Scan"}
            </h1>
            {s.input ? <CopyButton value={s.input} label="Copy what was scanned" /> : null}
          </div>
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
            Started {formatDateTime(s.requested_at)}
            {s.completed_at ? ` · finished ${formatDateTime(s.completed_at)}${took ? ` (${took})` : ""}` : ""}
            {s.gap_limit ? ` · gap limit ${s.gap_limit}` : ""}
          </p>
        </div>
        {s.status === "completed" ? (
          <div className="flex flex-wrap gap-2" aria-label="Reports">
            <DownloadLink href={reportUrl(s.id, "csv")}>Download CSV</DownloadLink>
            <DownloadLink href={reportUrl(s.id, "json")}>Download JSON</DownloadLink>
            <DownloadLink href={reportUrl(s.id, "pdf")}>Download PDF</DownloadLink>
          </div>
        ) : null}
      </header>

      {running ? (
        <>
          <ScanProgress state={state} connection={connection} />
          <div aria-hidden="true" className="grid grid-cols-2 gap-3 opacity-60 sm:gap-4 lg:grid-cols-4">
            {["Balance", "Received", "Sent", "Transactions"].map((label) => (
              <div key={label} className="rounded-2xl border border-dashed border-slate-300 p-4 dark:border-slate-700">
                <p className="text-xs font-medium uppercase tracking-wide text-slate-400">{label}</p>
                <Skeleton className="mt-2.5 h-6 w-3/4" />
              </div>
            ))}
          </div>
          <p className="text-center text-sm text-slate-500 dark:text-slate-400">
            Balances, charts and transactions appear here when the scan completes. You can leave this page: the scan carries on.
          </p>
        </>
      ) : null}

      {s.status === "failed" ? (
        <Alert title="The scan failed">
          <p>{s.error ?? progress?.error ?? "Something went wrong while scanning."}</p>
          <p className="mt-2">
            Nothing was charged to the wallet and nothing was changed.{" "}
            <Link href="/" className="font-medium underline">
              Start a new scan
            </Link>{" "}
            to try again.
          </p>
        </Alert>
      ) : null}

      {s.status === "completed" && s.summary ? (
        <>
          <SummaryCards summary={s.summary} unit={s.unit} decimals={s.decimals} />
          <ReconciliationVerdict reconciliation={s.reconciliation} reconciled={s.summary.reconciled} unit={s.unit} decimals={s.decimals} />
          <div className="grid gap-6 lg:grid-cols-2">
            <BalanceChart scanId={s.id} />
            <FlowChart scanId={s.id} />
          </div>
          <Card aria-label="Details" className={cx("overflow-hidden")}>
            <Tabs
              label="Scan details"
              tabs={[
                { id: "transactions", label: "Transactions", count: s.summary.tx_count, content: <TransactionsTable scanId={s.id} /> },
                { id: "addresses", label: "Addresses", count: s.summary.used_address_count, content: <AddressesTable scanId={s.id} /> },
                ...(EVM.has(s.chain)
                  ? [{ id: "tokens", label: "Tokens", content: <TokensTable scanId={s.id} /> }]
                  : [{ id: "utxos", label: "UTXOs", content: <UtxosTable scanId={s.id} /> }]),
              ]}
            />
          </Card>
        </>
      ) : null}
    </div>
  );
}
