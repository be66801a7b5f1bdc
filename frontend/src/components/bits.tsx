"use client";

// Pieces that show one value well: an amount, a status, a copyable identifier.
import { useEffect, useState } from "react";
import type { ScanStatus } from "@/api/types";
import { formatUnits, sign } from "@/lib/amount";
import { CheckIcon, CopyIcon } from "./icons";
import { Badge, cx } from "./ui";

export function Amount({
  value,
  decimals,
  unit,
  signed = false,
  colored = false,
  className,
}: {
  value: string | null | undefined;
  decimals: number;
  unit?: string;
  signed?: boolean;
  colored?: boolean;
  className?: string;
}) {
  if (value === null || value === undefined) return <span className={className}>—</span>;
  const direction = sign(value);
  const tone = !colored
    ? ""
    : direction > 0
      ? "text-emerald-700 dark:text-emerald-400"
      : direction < 0
        ? "text-rose-700 dark:text-rose-400"
        : "text-slate-500";
  return (
    <span className={cx("num whitespace-nowrap", tone, className)}>
      {formatUnits(value, decimals, { signed })}
      {unit ? (
        <>
          {" "}
          <span className="text-[0.85em] font-normal text-slate-500 dark:text-slate-400">{unit}</span>
        </>
      ) : null}
    </span>
  );
}

const STATUS: Record<ScanStatus, { label: string; tone: "neutral" | "info" | "success" | "danger" }> = {
  queued: { label: "Queued", tone: "neutral" },
  running: { label: "Scanning", tone: "info" },
  completed: { label: "Completed", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
};

export function StatusBadge({ status }: { status: ScanStatus }) {
  const s = STATUS[status] ?? { label: status, tone: "neutral" as const };
  return (
    <Badge tone={s.tone}>
      {status === "running" || status === "queued" ? (
        <span className="relative flex h-1.5 w-1.5" aria-hidden="true">
          <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-current opacity-60" />
          <span className="relative inline-flex h-1.5 w-1.5 rounded-full bg-current" />
        </span>
      ) : null}
      {s.label}
    </Badge>
  );
}

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied(true);
        } catch {
          setCopied(false);
        }
      }}
      className="inline-flex h-7 w-7 shrink-0 items-center justify-center rounded-md text-slate-400 hover:bg-slate-100 hover:text-slate-700 dark:hover:bg-slate-800 dark:hover:text-slate-200"
      aria-label={copied ? "Copied" : label}
      title={copied ? "Copied" : label}
    >
      {copied ? <CheckIcon className="text-emerald-600" /> : <CopyIcon />}
    </button>
  );
}

/** A long identifier shown whole on wide screens and shortened in the middle on phones. */
export function Mono({ value, short }: { value: string; short: string }) {
  return (
    <span className="font-mono text-[0.8125rem]" title={value}>
      <span className="hidden xl:inline">{value}</span>
      <span className="xl:hidden">{short}</span>
    </span>
  );
}
