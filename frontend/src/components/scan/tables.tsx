"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Direction } from "@/api/types";
import { api } from "@/lib/api";
import { shorten } from "@/lib/detect";
import { formatCount, formatDate, formatDateTime, plural } from "@/lib/format";
import { Amount, CopyButton } from "../bits";
import { ArrowDownLeft, ArrowUpRight, ExternalIcon, RepeatIcon } from "../icons";
import { Alert, Badge, EmptyState, Pagination, Skeleton, cx } from "../ui";

const th = "px-3 py-2.5 text-left text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400 first:pl-4 last:pr-4 sm:first:pl-5 sm:last:pr-5";
const td = "px-3 py-2.5 align-middle first:pl-4 last:pr-4 sm:first:pl-5 sm:last:pr-5";

function Loading({ rows = 6 }: { rows?: number }) {
  return (
    <div className="space-y-2 p-4" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className="h-8 w-full" />
      ))}
    </div>
  );
}

const DIRECTION = {
  in: { label: "Received", Icon: ArrowDownLeft, tone: "text-emerald-700 bg-emerald-50 dark:bg-emerald-500/10 dark:text-emerald-400" },
  out: { label: "Sent", Icon: ArrowUpRight, tone: "text-rose-700 bg-rose-50 dark:bg-rose-500/10 dark:text-rose-400" },
  self: { label: "Internal", Icon: RepeatIcon, tone: "text-slate-600 bg-slate-100 dark:bg-slate-800 dark:text-slate-300" },
} as const;

const FILTERS: { value: Direction | null; label: string }[] = [
  { value: null, label: "All" },
  { value: "in", label: "In" },
  { value: "out", label: "Out" },
  { value: "self", label: "Internal" },
];

export const TX_PAGE_SIZE = 25;

export function TransactionsTable({ scanId }: { scanId: string }) {
  const [page, setPage] = useState(1);
  const [direction, setDirection] = useState<Direction | null>(null);
  const txs = useQuery({
    queryKey: ["scan", scanId, "transactions", page, direction],
    queryFn: () => api.transactions(scanId, page, TX_PAGE_SIZE, direction),
    placeholderData: keepPreviousData,
  });

  return (
    <div>
      <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-5">
        <div role="group" aria-label="Filter by direction" className="inline-flex rounded-lg bg-slate-100 p-0.5 dark:bg-slate-800">
          {FILTERS.map((f) => (
            <button
              key={f.label}
              type="button"
              aria-pressed={direction === f.value}
              onClick={() => {
                setDirection(f.value);
                setPage(1);
              }}
              className={cx(
                "rounded-md px-3 py-1 text-sm font-medium",
                direction === f.value ? "bg-white text-slate-900 shadow-sm dark:bg-slate-950 dark:text-white" : "text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white",
              )}
            >
              {f.label}
            </button>
          ))}
        </div>
        {txs.isFetching && !txs.isPending ? <span className="text-xs text-slate-500">Updating…</span> : null}
      </div>
      {txs.isPending ? (
        <Loading />
      ) : txs.isError ? (
        <div className="p-4"><Alert>{txs.error.message}</Alert></div>
      ) : txs.data.total === 0 ? (
        <EmptyState title={direction ? "No transactions in this direction" : "No transactions"}>
          {direction ? "Choose All to see every transaction." : "None of the scanned addresses has been used yet."}
        </EmptyState>
      ) : (
        <>
          {/* Phones: one line per transaction, the amount always in view. */}
          <ul className="divide-y divide-slate-100 border-t border-slate-100 md:hidden dark:divide-slate-800 dark:border-slate-800" aria-label="Transactions">
            {txs.data.items.map((tx) => {
              const d = DIRECTION[tx.direction] ?? DIRECTION.self;
              return (
                <li key={tx.txid} className="flex items-center gap-3 px-4 py-3">
                  <span className={cx("inline-flex h-8 w-8 shrink-0 items-center justify-center rounded-full", d.tone)} title={d.label}>
                    <d.Icon />
                    <span className="sr-only">{d.label}</span>
                  </span>
                  <div className="min-w-0 flex-1">
                    <div className="flex items-baseline justify-between gap-2">
                      <span className="num truncate text-sm text-slate-700 dark:text-slate-300" title={formatDateTime(tx.block_time)}>
                        {tx.confirmed ? formatDate(tx.block_time) : "Pending"}
                      </span>
                      <Amount value={tx.delta} decimals={txs.data.decimals} unit={txs.data.unit} signed colored className="text-sm font-medium" />
                    </div>
                    <div className="mt-0.5 flex items-center justify-between gap-2 text-xs text-slate-500 dark:text-slate-400">
                      <a href={tx.explorer_url} target="_blank" rel="noopener noreferrer" className="inline-flex items-center gap-1 font-mono text-brand-700 hover:underline dark:text-brand-300">
                        {shorten(tx.txid, 6, 6)}
                        <ExternalIcon width={12} height={12} />
                      </a>
                      <span className="num">
                        {tx.fee_paid !== "0" ? <>fee <Amount value={tx.fee_paid} decimals={txs.data.decimals} /> · </> : null}
                        {tx.confirmed ? `${formatCount(tx.confirmations)} conf.` : <Badge tone="warning">Unconfirmed</Badge>}
                      </span>
                    </div>
                  </div>
                </li>
              );
            })}
          </ul>
          <div className="hidden overflow-x-auto md:block">
            <table className="w-full min-w-[40rem] text-sm" data-testid="transactions">
              <caption className="sr-only">Transactions, newest first</caption>
              <thead className="border-y border-slate-100 bg-slate-50 dark:border-slate-800 dark:bg-slate-900/60">
                <tr>
                  <th scope="col" className={th}>Date</th>
                  <th scope="col" className={th}>Transaction</th>
                  <th scope="col" className={cx(th, "text-right")}>Amount</th>
                  <th scope="col" className={cx(th, "text-right")}>Fee</th>
                  <th scope="col" className={cx(th, "text-right")}>Confirmations</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {txs.data.items.map((tx) => {
                  const d = DIRECTION[tx.direction] ?? DIRECTION.self;
                  return (
                    <tr key={tx.txid} data-txid={tx.txid} className="hover:bg-slate-50/70 dark:hover:bg-slate-800/30">
                      <td className={cx(td, "whitespace-nowrap")}>
                        <div className="flex items-center gap-2.5">
                          <span className={cx("inline-flex h-7 w-7 shrink-0 items-center justify-center rounded-full", d.tone)} title={d.label}>
                            <d.Icon />
                            <span className="sr-only">{d.label}</span>
                          </span>
                          <span className="num text-slate-700 dark:text-slate-300">{tx.confirmed ? formatDateTime(tx.block_time) : "Pending"}</span>
                        </div>
                      </td>
                      <td className={td}>
                        <div className="flex items-center gap-1 whitespace-nowrap">
                          <a
                            href={tx.explorer_url}
                            target="_blank"
                            rel="noopener noreferrer"
                            className="inline-flex items-center gap-1 font-mono text-[0.8125rem] text-brand-700 hover:underline dark:text-brand-300"
                            title={`${tx.txid} (opens the block explorer)`}
                          >
                            {shorten(tx.txid, 8, 8)}
                            <ExternalIcon width={13} height={13} />
                          </a>
                          <CopyButton value={tx.txid} label="Copy transaction id" />
                        </div>
                      </td>
                      <td className={cx(td, "text-right font-medium")}>
                        <Amount value={tx.delta} decimals={txs.data.decimals} unit={txs.data.unit} signed colored />
                      </td>
                      <td className={cx(td, "text-right text-slate-600 dark:text-slate-400")}>
                        {tx.fee_paid !== "0" ? <Amount value={tx.fee_paid} decimals={txs.data.decimals} /> : <span className="text-slate-400">—</span>}
                      </td>
                      <td className={cx(td, "num text-right")}>
                        {tx.confirmed ? (
                          <span className="text-slate-600 dark:text-slate-400">{formatCount(tx.confirmations)}</span>
                        ) : (
                          <Badge tone="warning">Unconfirmed</Badge>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {/* The shown page comes from the data, so the range never describes rows still loading. */}
          <Pagination label="Transaction pages" page={txs.data.page} pageSize={TX_PAGE_SIZE} total={txs.data.total} onPage={setPage} />
        </>
      )}
    </div>
  );
}

export function AddressesTable({ scanId }: { scanId: string }) {
  const [show, setShow] = useState<"used" | "all">("used");
  const addresses = useQuery({ queryKey: ["scan", scanId, "addresses"], queryFn: () => api.addresses(scanId) });
  if (addresses.isPending) return <Loading />;
  if (addresses.isError) return <div className="p-4"><Alert>{addresses.error.message}</Alert></div>;
  const { unit, decimals } = addresses.data;
  const all = [...addresses.data.items].sort((a, b) => (a.chain ?? 0) - (b.chain ?? 0) || (a.index ?? 0) - (b.index ?? 0));
  const used = all.filter((a) => a.used);
  const items = show === "used" ? used : all;
  return (
    <div>
      <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-5">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {formatCount(used.length)} used of {formatCount(all.length)} scanned
        </p>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" className="h-4 w-4 accent-brand-600" checked={show === "all"} onChange={(e) => setShow(e.target.checked ? "all" : "used")} />
          Show unused addresses
        </label>
      </div>
      {items.length === 0 ? (
        <EmptyState title="No used addresses">Every scanned address is still empty. Tick “Show unused addresses” to see them.</EmptyState>
      ) : (
        <div className="max-h-[32rem] overflow-auto">
          <table className="w-full text-sm" data-testid="addresses">
            <caption className="sr-only">Addresses</caption>
            <thead className="sticky top-0 border-y border-slate-100 bg-slate-50 dark:border-slate-800 dark:bg-slate-900">
              <tr>
                <th scope="col" className={cx(th, "hidden md:table-cell")}>Path</th>
                <th scope="col" className={th}>Address</th>
                <th scope="col" className={cx(th, "hidden text-right md:table-cell")}>Transactions</th>
                <th scope="col" className={cx(th, "text-right")}>Balance</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {items.map((a) => (
                <tr key={a.address} className={cx(!a.used && "text-slate-400 dark:text-slate-500")}>
                  <td className={cx(td, "hidden whitespace-nowrap md:table-cell")}>
                    <span className="font-mono text-xs">{a.path ?? "—"}</span>
                    <span className="ml-2">
                      {a.chain === 1 ? <Badge>change</Badge> : a.chain === 0 ? <Badge tone="info">receive</Badge> : null}
                    </span>
                  </td>
                  <td className={td}>
                    <p className="mb-0.5 font-mono text-xs text-slate-500 md:hidden">
                      {a.path ?? ""} {a.chain === 1 ? "· change" : a.chain === 0 ? "· receive" : ""}
                    </p>
                    <div className="flex items-center gap-1">
                      <span className="font-mono text-[0.8125rem]" title={a.address}>
                        <span className="hidden lg:inline">{a.address}</span>
                        <span className="lg:hidden">{shorten(a.address, 10, 8)}</span>
                      </span>
                      <CopyButton value={a.address} label="Copy address" />
                      {!a.used ? <span className="text-xs">unused</span> : null}
                    </div>
                  </td>
                  <td className={cx(td, "num hidden text-right md:table-cell")}>{formatCount(a.tx_count)}</td>
                  <td className={cx(td, "text-right")}>
                    <Amount value={a.balance} decimals={decimals} unit={unit} className={a.balance === "0" ? "text-slate-400 dark:text-slate-500" : ""} />
                    <p className="num mt-0.5 text-xs text-slate-500 md:hidden">{plural(a.tx_count, "tx", "txs")}</p>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function UtxosTable({ scanId }: { scanId: string }) {
  const utxos = useQuery({ queryKey: ["scan", scanId, "utxos"], queryFn: () => api.utxos(scanId) });
  if (utxos.isPending) return <Loading rows={3} />;
  if (utxos.isError) return <div className="p-4"><Alert>{utxos.error.message}</Alert></div>;
  const { unit, decimals, items } = utxos.data;
  if (items.length === 0) return <EmptyState title="No unspent outputs">The wallet holds no coins right now.</EmptyState>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[36rem] text-sm" data-testid="utxos">
        <caption className="sr-only">Unspent outputs</caption>
        <thead className="border-y border-slate-100 bg-slate-50 dark:border-slate-800 dark:bg-slate-900/60">
          <tr>
            <th scope="col" className={th}>Output</th>
            <th scope="col" className={th}>Address</th>
            <th scope="col" className={cx(th, "text-right")}>Confirmations</th>
            <th scope="col" className={cx(th, "text-right")}>Value</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {items.map((u) => (
            <tr key={`${u.txid}:${u.vout}`}>
              <td className={td}>
                <span className="font-mono text-[0.8125rem]" title={`${u.txid}:${u.vout}`}>
                  {shorten(u.txid, 8, 6)}:{u.vout}
                </span>
              </td>
              <td className={td}>
                <span className="font-mono text-[0.8125rem]" title={u.address ?? undefined}>
                  {shorten(u.address, 10, 8)}
                </span>
              </td>
              <td className={cx(td, "num text-right")}>
                {u.block_height === null ? <Badge tone="warning">Unconfirmed</Badge> : formatCount(u.confirmations)}
              </td>
              <td className={cx(td, "text-right")}>
                <Amount value={u.value} decimals={decimals} unit={unit} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TokensTable({ scanId }: { scanId: string }) {
  const tokens = useQuery({ queryKey: ["scan", scanId, "tokens"], queryFn: () => api.tokens(scanId) });
  if (tokens.isPending) return <Loading rows={3} />;
  if (tokens.isError) return <div className="p-4"><Alert>{tokens.error.message}</Alert></div>;
  const items = tokens.data.items;
  if (items.length === 0) return <EmptyState title="No token balances">No ERC-20 token transfers were found for this address.</EmptyState>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="tokens">
        <caption className="sr-only">Token balances</caption>
        <thead className="border-y border-slate-100 bg-slate-50 dark:border-slate-800 dark:bg-slate-900/60">
          <tr>
            <th scope="col" className={th}>Token</th>
            <th scope="col" className={cx(th, "hidden sm:table-cell")}>Contract</th>
            <th scope="col" className={cx(th, "hidden text-right sm:table-cell")}>Transfers</th>
            <th scope="col" className={cx(th, "text-right")}>Balance</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {items.map((t) => (
            <tr key={t.token}>
              <td className={td}>
                <span className="font-medium">{t.symbol ?? "Unknown token"}</span>
                {t.name ? <span className="ml-2 text-slate-500 dark:text-slate-400">{t.name}</span> : null}
                {!t.reconciled ? (
                  <Badge tone="warning" className="ml-2">
                    not reconciled
                  </Badge>
                ) : null}
              </td>
              <td className={cx(td, "hidden sm:table-cell")}>
                <a href={t.explorer_url} target="_blank" rel="noopener noreferrer" className="inline-flex items-center gap-1 font-mono text-xs text-brand-700 hover:underline dark:text-brand-300" title={t.token}>
                  {shorten(t.token, 8, 6)}
                  <ExternalIcon width={12} height={12} />
                </a>
              </td>
              <td className={cx(td, "num hidden text-right sm:table-cell")}>{formatCount(t.transfer_count)}</td>
              <td className={cx(td, "text-right")}>
                {t.decimals === null ? (
                  <span className="num" title="The token does not say how many decimals it has: amount in its base units">
                    {t.balance} <span className="text-xs text-slate-500">base units</span>
                  </span>
                ) : (
                  <Amount value={t.balance} decimals={t.decimals} unit={t.symbol ?? undefined} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
