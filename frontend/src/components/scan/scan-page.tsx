"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useId } from "react";
import { isGroupView, TERMINAL, type GroupScanView, type ScanView } from "@/api/types";
import { api, ApiError, reportUrl } from "@/lib/api";
import { CHAIN_LABELS, SCRIPT_LABELS } from "@/lib/detect";
import { formatDateTime, formatDuration, plural } from "@/lib/format";
import { useScanEvents } from "@/lib/use-scan-events";
import { Amount, CopyButton, StatusBadge } from "../bits";
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
  const scan = useQuery({
    queryKey: ["scan", scanId],
    queryFn: () => api.scan(scanId),
    // The WebSocket drives updates; a slow poll is the safety net if it cannot connect.
    refetchInterval: (query) => (query.state.data && !TERMINAL.has(query.state.data.status) ? 10_000 : false),
  });

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
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/" className="text-slate-500 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white">
          ← Your scans
        </Link>
      </nav>
      {isGroupView(s) ? <GroupScan group={s} /> : <ScanDetail scan={s} queryId={scanId} />}
    </div>
  );
}

/** The head of a multi-chain scan, then one section per chain. */
function GroupScan({ group }: { group: GroupScanView }) {
  const took = formatDuration(group.requested_at, group.completed_at);
  const chainCount = group.sections.length || group.chains.length;
  return (
    <>
      <header className="min-w-0">
        <div className="flex flex-wrap items-center gap-2">
          <StatusBadge status={group.status} />
          <Badge tone="info">{plural(chainCount, "chain")}</Badge>
          {group.input_type ? <Badge>{group.input_type}</Badge> : null}
        </div>
        <div className="mt-2 flex min-w-0 items-center gap-1">
          <h1 className="min-w-0 truncate font-mono text-lg font-semibold tracking-tight sm:text-xl" title={group.input ?? undefined}>
            {group.input ?? "Scan"}
          </h1>
          {group.input ? <CopyButton value={group.input} label="Copy what was scanned" /> : null}
        </div>
        <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
          Started {formatDateTime(group.requested_at)}
          {group.completed_at ? ` · finished ${formatDateTime(group.completed_at)}${took ? ` (${took})` : ""}` : ""}
        </p>
      </header>

      {/* Every chain at a glance; balances stay per chain: their units differ. */}
      <Card aria-label="Chains in this scan" className="overflow-hidden">
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {group.sections.map((section) => (
            <li key={section.id}>
              <a
                href={`#chain-${section.id}`}
                className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1 px-4 py-2.5 text-sm hover:bg-slate-50 sm:px-5 dark:hover:bg-slate-800/50"
              >
                <span className="flex items-center gap-2 font-medium">
                  {CHAIN_LABELS[section.chain] ?? section.chain}
                  <StatusBadge status={section.status} />
                </span>
                {section.status === "completed" && section.summary ? (
                  <Amount value={section.summary.balance} decimals={section.decimals} unit={section.unit} />
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </a>
            </li>
          ))}
        </ul>
      </Card>

      {group.sections.map((section) => (
        <ScanDetail key={section.id} scan={section} queryId={group.id} section />
      ))}
    </>
  );
}

/**
 * One scan: its head, live progress over its own WebSocket, then the results. On its own
 * page (`section` false) or as one chain of a group; `queryId` is the view it came from,
 * refreshed when the scan ends.
 */
function ScanDetail({ scan: s, queryId, section = false }: { scan: ScanView; queryId: string; section?: boolean }) {
  const queryClient = useQueryClient();
  const headingId = useId();
  const running = !TERMINAL.has(s.status);
  const onEnd = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: ["scan", queryId] });
    void queryClient.invalidateQueries({ queryKey: ["scans"] });
  }, [queryClient, queryId]);
  const { progress, connection } = useScanEvents(s.id, running, onEnd);

  const liveStatus = progress?.status ?? s.status;
  const state = progress && !TERMINAL.has(s.status)
    ? progress
    : { status: s.status, ...s.progress };
  const chainLabel = CHAIN_LABELS[s.chain] ?? s.chain;
  const took = formatDuration(s.requested_at, s.completed_at);
  const status = TERMINAL.has(s.status) ? s.status : liveStatus;

  const reports =
    s.status === "completed" ? (
      <div className="flex flex-wrap gap-2" aria-label={section ? `Reports for ${chainLabel}` : "Reports"}>
        <DownloadLink href={reportUrl(s.id, "csv")}>Download CSV</DownloadLink>
        <DownloadLink href={reportUrl(s.id, "json")}>Download JSON</DownloadLink>
        <DownloadLink href={reportUrl(s.id, "pdf")}>Download PDF</DownloadLink>
      </div>
    ) : null;

  const content = (
    <>
      {section ? (
        <header className="flex flex-col gap-3 border-t border-slate-200 pt-6 md:flex-row md:items-start md:justify-between dark:border-slate-800">
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-2">
              <h2 id={headingId} className="text-lg font-semibold tracking-tight sm:text-xl">
                {chainLabel}
              </h2>
              <StatusBadge status={status} />
            </div>
            <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
              Started {formatDateTime(s.requested_at)}
              {s.completed_at ? ` · finished ${formatDateTime(s.completed_at)}${took ? ` (${took})` : ""}` : ""}
              {" · "}
              <Link href={`/scans/${s.id}`} className="underline hover:text-slate-900 dark:hover:text-white">
                Open on its own
              </Link>
            </p>
          </div>
          {reports}
        </header>
      ) : (
        <header className="flex flex-col gap-4 md:flex-row md:items-start md:justify-between">
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-2">
              <StatusBadge status={status} />
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
            {s.group_id ? (
              <p className="mt-1 text-sm">
                <Link href={`/scans/${s.group_id}`} className="font-medium text-brand-700 underline dark:text-brand-300">
                  Part of a scan on several chains: see them all
                </Link>
              </p>
            ) : null}
          </div>
          {reports}
        </header>
      )}

      {running ? (
        <>
          <ScanProgress state={state} connection={connection} label={section ? `Scan progress on ${chainLabel}` : undefined} />
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
        <Alert title={section ? `The scan on ${chainLabel} failed` : "The scan failed"}>
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
          <Card aria-label={section ? `Details on ${chainLabel}` : "Details"} className={cx("overflow-hidden")}>
            <Tabs
              label={section ? `Scan details on ${chainLabel}` : "Scan details"}
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
    </>
  );

  return section ? (
    <section id={`chain-${s.id}`} aria-labelledby={headingId} className="scroll-mt-4 space-y-6" data-testid="chain-section" data-chain={s.chain}>
      {content}
    </section>
  ) : (
    content
  );
}
