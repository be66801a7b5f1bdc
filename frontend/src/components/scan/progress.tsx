"use client";

import type { ScanPhase, ScanStatus } from "@/api/types";
import { useId } from "react";
import type { Connection } from "@/lib/use-scan-events";
import { Card, Spinner, cx } from "../ui";

const PHASES: { phase: ScanPhase; label: string; detail: string }[] = [
  { phase: "queued", label: "Queued", detail: "Waiting for a worker" },
  { phase: "deriving", label: "Deriving", detail: "Deriving addresses from the key" },
  { phase: "fetching", label: "Fetching", detail: "Fetching balances and history" },
  { phase: "aggregating", label: "Totals", detail: "Adding up wallet totals" },
];

export interface ProgressState {
  status: ScanStatus;
  phase: ScanPhase;
  addresses_derived: number;
  addresses_fetched: number;
  percent: number;
}

export function ScanProgress({
  state,
  connection,
  label = "Scan progress",
}: {
  state: ProgressState;
  connection: Connection;
  label?: string;
}) {
  const titleId = useId();
  const percent = Math.max(0, Math.min(100, state.percent));
  const rounded = Math.floor(percent);
  const current = PHASES.findIndex((p) => p.phase === state.phase);
  const detail = PHASES[current]?.detail ?? "Working";
  const counts =
    state.addresses_derived > 0
      ? `${state.addresses_fetched.toLocaleString("en")} of ${state.addresses_derived.toLocaleString("en")} addresses fetched`
      : "Preparing addresses";

  return (
    <Card aria-labelledby={titleId} className="p-4 sm:p-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex items-center gap-2.5">
          <Spinner className="text-brand-600 dark:text-brand-400" />
          <h2 id={titleId} className="text-base font-semibold">
            {detail}
          </h2>
        </div>
        <p className="num text-2xl font-semibold tabular-nums" aria-hidden="true">
          {rounded}%
        </p>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
        aria-valuetext={`${detail}: ${counts}, ${rounded}%`}
        data-phase={state.phase}
        className="mt-4 h-2.5 w-full overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800"
      >
        <div
          className="h-full rounded-full bg-gradient-to-r from-brand-500 to-brand-400 transition-[width] duration-500 ease-out"
          style={{ width: `${Math.max(percent, 2)}%` }}
        />
      </div>
      <div className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600 dark:text-slate-400">
        <p className="num" aria-live="polite">
          {counts}
        </p>
        <p className="flex items-center gap-1.5 text-xs">
          <span
            className={cx(
              "inline-block h-2 w-2 rounded-full",
              connection === "live" ? "bg-emerald-500" : connection === "reconnecting" ? "bg-amber-500" : "bg-slate-400",
            )}
            aria-hidden="true"
          />
          {connection === "live" ? "Live" : connection === "reconnecting" ? "Reconnecting…" : "Connecting…"}
        </p>
      </div>
      <ol className="mt-5 grid grid-cols-4 gap-2 text-xs" aria-label="Scan phases">
        {PHASES.map((p, i) => {
          const done = current > i;
          const now = current === i;
          return (
            <li key={p.phase} aria-current={now ? "step" : undefined} className="min-w-0">
              <div className={cx("h-1 rounded-full", done ? "bg-brand-500" : now ? "bg-brand-300 dark:bg-brand-400/60" : "bg-slate-200 dark:bg-slate-800")} />
              <p className={cx("mt-1.5 truncate", now ? "font-medium text-slate-900 dark:text-white" : "text-slate-500 dark:text-slate-400")}>{p.label}</p>
            </li>
          );
        })}
      </ol>
    </Card>
  );
}
