"use client";

// Balance over time and money in/out per month. Bar heights and line points are plotted from
// numbers in coin units; every figure a person reads (tooltips, the table behind each chart)
// is formatted exactly from the base-unit strings.
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { HistoryPoint } from "@/api/types";
import { api } from "@/lib/api";
import { formatAmount, toChartNumber } from "@/lib/amount";
import { formatPeriod, periodTime } from "@/lib/format";
import { Alert, Card, CardHeader, EmptyState, Skeleton, cx } from "../ui";

const AXIS = { fill: "#64748b", fontSize: 12 };
const GRID = "#94a3b8";
const COLORS = { balance: "#6366f1", in: "#10b981", out: "#f43f5e" };
const compact = new Intl.NumberFormat("en", { maximumSignificantDigits: 4 });
const axisDate = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });

/** Ticks on the first day of months between two times, at most about six of them. */
function monthTicks(from: number, to: number): number[] {
  const start = new Date(from);
  const months = (new Date(to).getUTCFullYear() - start.getUTCFullYear()) * 12 + new Date(to).getUTCMonth() - start.getUTCMonth();
  const step = Math.max(1, Math.ceil(months / 6));
  const ticks: number[] = [];
  for (let i = 1; i <= months; i += step) {
    ticks.push(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1));
  }
  return ticks.length ? ticks : [from];
}

interface Row {
  period: string;
  time: number;
  label: string;
  balance: number;
  received: number;
  sent: number;
  point: HistoryPoint;
}

function rows(points: HistoryPoint[], decimals: number, interval: "day" | "month"): Row[] {
  return points.map((p) => ({
    period: p.period,
    time: periodTime(p.period),
    label: formatPeriod(p.period, interval),
    balance: toChartNumber(p.balance, decimals),
    received: toChartNumber(p.received, decimals),
    sent: toChartNumber(p.sent, decimals),
    point: p,
  }));
}

interface TooltipProps {
  active?: boolean;
  payload?: { payload: Row }[];
  unit: string;
  decimals: number;
  fields: ("balance" | "received" | "sent")[];
}

const FIELD_LABELS = { balance: "Balance", received: "In", sent: "Out" } as const;

function ExactTooltip({ active, payload, unit, decimals, fields }: TooltipProps) {
  const row = active ? payload?.[0]?.payload : undefined;
  if (!row) return null;
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2 text-xs shadow-lg dark:border-slate-700 dark:bg-slate-900">
      <p className="font-medium text-slate-900 dark:text-white">{row.label}</p>
      {fields.map((f) => (
        <p key={f} className="num mt-0.5 text-slate-600 dark:text-slate-300">
          {FIELD_LABELS[f]}: {formatAmount(row.point[f], decimals, unit)}
        </p>
      ))}
      <p className="mt-0.5 text-slate-500">{row.point.tx_count} transactions</p>
    </div>
  );
}

function useHistory(scanId: string, interval: "day" | "month") {
  return useQuery({ queryKey: ["scan", scanId, "history", interval], queryFn: () => api.history(scanId, interval) });
}

function ChartFrame({ children, label }: { children: React.ReactNode; label: string }) {
  return (
    <div className="h-64 w-full px-2 pb-3 pt-4 sm:h-72 sm:px-4" role="img" aria-label={label}>
      {children}
    </div>
  );
}

/** The figures behind a chart, for screen readers (and for anyone checking the numbers). */
function DataTable({ caption, data, unit, decimals, fields, testId }: { caption: string; data: Row[]; unit: string; decimals: number; fields: ("balance" | "received" | "sent")[]; testId: string }) {
  return (
    <table className="sr-only" data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Period</th>
          {fields.map((f) => (
            <th key={f} scope="col">
              {FIELD_LABELS[f]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {data.map((r) => (
          <tr key={r.period}>
            <th scope="row">{r.label}</th>
            {fields.map((f) => (
              <td key={f} data-field={f}>
                {formatAmount(r.point[f], decimals, unit)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Segmented<T extends string>({ value, options, onChange, label }: { value: T; options: { value: T; label: string }[]; onChange: (v: T) => void; label: string }) {
  return (
    <div role="group" aria-label={label} className="inline-flex rounded-lg bg-slate-100 p-0.5 dark:bg-slate-800">
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={value === o.value}
          onClick={() => onChange(o.value)}
          className={cx(
            "rounded-md px-2.5 py-1 text-xs font-medium",
            value === o.value ? "bg-white text-slate-900 shadow-sm dark:bg-slate-950 dark:text-white" : "text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white",
          )}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

function ChartBody({ query, empty, children }: { query: ReturnType<typeof useHistory>; empty: string; children: (rows: Row[], unit: string, decimals: number) => React.ReactNode }) {
  if (query.isPending) return <Skeleton className="m-4 h-56" />;
  if (query.isError) return <div className="p-4"><Alert>{query.error.message}</Alert></div>;
  const data = rows(query.data.points, query.data.decimals, query.data.interval);
  if (data.length === 0) return <EmptyState title={empty} />;
  return <>{children(data, query.data.unit, query.data.decimals)}</>;
}

export function BalanceChart({ scanId }: { scanId: string }) {
  const [interval, setPeriod] = useState<"day" | "month">("day");
  const history = useHistory(scanId, interval);
  const titleId = useId();
  return (
    <Card aria-labelledby={titleId} data-testid="balance-chart">
      <CardHeader
        id={titleId}
        title="Balance over time"
        description="Confirmed balance at the end of each period"
        actions={
          <Segmented
            label="Interval"
            value={interval}
            onChange={setPeriod}
            options={[
              { value: "day", label: "Daily" },
              { value: "month", label: "Monthly" },
            ]}
          />
        }
      />
      <ChartBody query={history} empty="No confirmed activity yet">
        {(data, unit, decimals) => (
          <>
            <ChartFrame label={`Balance over time in ${unit}`}>
              <ResponsiveContainer width="100%" height="100%">
                <AreaChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 4 }}>
                  <defs>
                    <linearGradient id="balance-fill" x1="0" y1="0" x2="0" y2="1">
                      <stop offset="0%" stopColor={COLORS.balance} stopOpacity={0.35} />
                      <stop offset="100%" stopColor={COLORS.balance} stopOpacity={0.02} />
                    </linearGradient>
                  </defs>
                  <CartesianGrid stroke={GRID} strokeOpacity={0.25} vertical={false} />
                  {/* A time axis: quiet months take the room they took in real life. */}
                  <XAxis
                    dataKey="time"
                    type="number"
                    scale="time"
                    domain={["dataMin", "dataMax"]}
                    ticks={monthTicks(data[0]?.time ?? 0, data.at(-1)?.time ?? 0)}
                    tick={AXIS}
                    tickLine={false}
                    axisLine={false}
                    minTickGap={24}
                    tickFormatter={(t: number) => axisDate.format(new Date(t))}
                  />
                  <YAxis tick={AXIS} tickLine={false} axisLine={false} width={64} tickFormatter={(v: number) => compact.format(v)} />
                  <Tooltip content={<ExactTooltip unit={unit} decimals={decimals} fields={["balance"]} />} />
                  <Area type="stepAfter" dataKey="balance" name="Balance" stroke={COLORS.balance} strokeWidth={2} fill="url(#balance-fill)" isAnimationActive={false} />
                </AreaChart>
              </ResponsiveContainer>
            </ChartFrame>
            <DataTable caption={`Balance at the end of each ${interval}`} data={data} unit={unit} decimals={decimals} fields={["balance"]} testId="balance-table" />
          </>
        )}
      </ChartBody>
    </Card>
  );
}

export function FlowChart({ scanId }: { scanId: string }) {
  const history = useHistory(scanId, "month");
  const titleId = useId();
  return (
    <Card aria-labelledby={titleId} data-testid="flow-chart">
      <CardHeader id={titleId} title="In and out per month" description="Received and sent (fees included), confirmed transactions" />
      <ChartBody query={history} empty="No confirmed activity yet">
        {(data, unit, decimals) => (
          <>
            <ChartFrame label={`Money in and out per month in ${unit}`}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 4 }} barGap={2}>
                  <CartesianGrid stroke={GRID} strokeOpacity={0.25} vertical={false} />
                  <XAxis dataKey="label" tick={AXIS} tickLine={false} axisLine={false} minTickGap={12} />
                  <YAxis tick={AXIS} tickLine={false} axisLine={false} width={64} tickFormatter={(v: number) => compact.format(v)} />
                  <Tooltip cursor={{ fill: GRID, fillOpacity: 0.12 }} content={<ExactTooltip unit={unit} decimals={decimals} fields={["received", "sent"]} />} />
                  <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
                  <Bar dataKey="received" name="In" fill={COLORS.in} radius={[3, 3, 0, 0]} maxBarSize={28} isAnimationActive={false} />
                  <Bar dataKey="sent" name="Out" fill={COLORS.out} radius={[3, 3, 0, 0]} maxBarSize={28} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </ChartFrame>
            <DataTable caption="Received and sent per month" data={data} unit={unit} decimals={decimals} fields={["received", "sent"]} testId="flow-table" />
          </>
        )}
      </ChartBody>
    </Card>
  );
}
