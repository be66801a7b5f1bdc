// Response shapes of the scan endpoints. The gateway's OpenAPI schema types these routes as
// free-form objects (they return dicts), so the shapes below follow
// services/gateway/src/walletscan_gateway/presenters.py. Requests, paths and the auth
// responses come from the generated schema.d.ts.
import type { components } from "./schema";

export type UserInfo = components["schemas"]["UserInfo"];
/** POST /api/scans. `chains` (two or more EVM networks) starts one scan per chain as a group. */
export type ScanRequestBody = components["schemas"]["ScanRequest"] & { chains?: string[] | null };

/** The 202 answer of POST /api/scans; `scans` lists the child scans of a multi-chain group. */
export interface ScanStarted {
  id: string;
  status: string;
  scans?: { id: string; chain: string }[];
}

export type ScanStatus = "queued" | "running" | "completed" | "failed";
export type ScanPhase = "queued" | "deriving" | "fetching" | "aggregating" | "completed" | "failed";

/** An amount: an integer in base units (satoshi, wei) as a decimal string. */
export type BaseUnits = string;

export interface ScanProgressView {
  phase: ScanPhase;
  addresses_derived: number;
  addresses_fetched: number;
  percent: number;
}

export interface ScanSummary {
  unit?: string;
  decimals?: number;
  balance: BaseUnits | null;
  confirmed_balance: BaseUnits | null;
  unconfirmed_balance: BaseUnits | null;
  total_received: BaseUnits | null;
  total_sent: BaseUnits | null;
  total_fees: BaseUnits | null;
  tx_count: number;
  confirmed_tx_count?: number;
  used_address_count: number;
  scanned_address_count: number;
  first_seen: string | number | null;
  last_seen: string | number | null;
  reconciled: boolean;
}

export interface ReconciliationMismatch {
  address: string;
  rebuilt_balance: BaseUnits | null;
  provider_balance: BaseUnits | null;
  rebuilt_confirmed_balance?: BaseUnits | null;
  provider_confirmed_balance?: BaseUnits | null;
  rebuilt_tx_count?: number | null;
  provider_tx_count?: number | null;
}

export interface Reconciliation {
  reconciled: boolean;
  rebuilt_balance: BaseUnits | null;
  provider_balance: BaseUnits | null;
  mismatches: ReconciliationMismatch[];
}

export interface ScanView {
  id: string;
  status: ScanStatus;
  input: string | null;
  input_type: string | null;
  chain: string;
  unit: string;
  decimals: number;
  gap_limit: number | null;
  script_types: string[];
  progress: ScanProgressView;
  summary: ScanSummary | null;
  reconciliation: Reconciliation | null;
  error: string | null;
  requested_at: string | null;
  completed_at: string | null;
  /** Absent or false for one scan; a group answers with GroupScanView instead. */
  group?: false;
  /** The multi-chain group this scan belongs to, or null. */
  group_id?: string | null;
}

/** GET /api/scans/{id} for a multi-chain group: one section per chain, in the requested order. */
export interface GroupScanView {
  id: string;
  group: true;
  status: ScanStatus;
  input: string | null;
  input_type: string | null;
  chain: "multiple";
  chains: string[];
  requested_at: string | null;
  completed_at: string | null;
  sections: ScanView[];
}

/** What GET /api/scans/{id} answers: one scan, or a group of scans of one address. */
export type AnyScanView = ScanView | GroupScanView;

export function isGroupView(view: AnyScanView): view is GroupScanView {
  return view.group === true;
}

export interface ScanListItem {
  id: string;
  status: ScanStatus;
  input: string | null;
  input_type: string | null;
  chain: string;
  unit: string;
  decimals: number;
  balance: BaseUnits | null;
  tx_count: number | null;
  requested_at: string | null;
  completed_at: string | null;
  /** Children of a multi-chain group are listed one by one, each with the group's id. */
  group_id?: string | null;
}

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export interface Denominated {
  unit: string;
  decimals: number;
}

export interface AddressView {
  address: string;
  chain: number | null; // 0 receive, 1 change, null for a watched address
  index: number | null;
  path: string | null;
  script_type: string | null;
  used: boolean;
  fetched: boolean;
  tx_count: number;
  balance: BaseUnits;
  confirmed_balance: BaseUnits;
  received: BaseUnits;
  sent: BaseUnits;
}

export type Direction = "in" | "out" | "self";

export interface TransactionView {
  txid: string;
  direction: Direction;
  delta: BaseUnits;
  fee: BaseUnits;
  fee_paid: BaseUnits;
  received: BaseUnits;
  sent: BaseUnits;
  block_height: number | null;
  block_time: string | null;
  confirmed: boolean;
  confirmations: number;
  addresses: string[];
  explorer_url: string;
}

export interface UtxoView {
  txid: string;
  vout: number;
  address: string | null;
  value: BaseUnits;
  block_height: number | null;
  confirmations: number;
}

export interface HistoryPoint {
  period: string;
  balance: BaseUnits;
  received: BaseUnits;
  sent: BaseUnits;
  tx_count: number;
}

export interface TokenView {
  token: string; // the contract address
  symbol: string | null;
  name: string | null;
  decimals: number | null; // the token's own (6 for USDC, 18 for most)
  received: BaseUnits;
  sent: BaseUnits;
  balance: BaseUnits;
  provider_balance: BaseUnits | null;
  transfer_count: number;
  reconciled: boolean;
  explorer_url: string;
}

export type AddressList = Denominated & { items: AddressView[] };
export type TransactionPage = Denominated & Page<TransactionView>;
export type UtxoList = Denominated & { items: UtxoView[] };
export type History = Denominated & { interval: "day" | "month"; points: HistoryPoint[] };
export type TokenList = Denominated & { items: TokenView[] };

/** A progress message of WS /api/scans/{id}/events. */
export interface ProgressMessage {
  scan_id: string;
  status: ScanStatus;
  phase: ScanPhase;
  addresses_derived: number;
  addresses_fetched: number;
  percent: number;
  error: string | null;
  updated_at: string;
}

export const TERMINAL: ReadonlySet<ScanStatus> = new Set(["completed", "failed"]);
