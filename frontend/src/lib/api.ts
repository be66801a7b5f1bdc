// The typed client of the gateway, same-origin: the browser calls /api on the dashboard's
// own origin and server.mjs (or nginx in production) forwards it, so the HttpOnly session
// cookies and the CSRF cookie work without CORS.
import createClient from "openapi-fetch";
import type { paths } from "@/api/schema";
import type {
  AnyScanView,
  AddressList,
  Direction,
  History,
  Page,
  ScanListItem,
  ScanRequestBody,
  ScanStarted,
  TokenList,
  TransactionPage,
  UserInfo,
  UtxoList,
} from "@/api/types";

export const CSRF_COOKIE = "walletscan_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

export function readCookie(name: string): string | null {
  if (typeof document === "undefined") return null;
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

const client = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

client.use({
  onRequest({ request }) {
    if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
      const token = readCookie(CSRF_COOKIE);
      if (token) request.headers.set(CSRF_HEADER, token);
    }
    return request;
  },
});

interface Result {
  data?: unknown;
  error?: unknown;
  response: Response;
}

function detailOf(error: unknown, response: Response): string {
  if (error && typeof error === "object" && "detail" in error) {
    const detail = (error as { detail: unknown }).detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map((d) => (d as { msg?: string }).msg ?? String(d)).join("; ");
  }
  if (response.status >= 500) return "The service is unavailable right now. Try again in a moment.";
  return response.statusText || `request failed (${response.status})`;
}

let refreshing: Promise<boolean> | null = null;

/** Rotates the session with the refresh cookie; one request at a time for every caller. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch("/api/auth/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { [CSRF_HEADER]: readCookie(CSRF_COOKIE) ?? "" },
  })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** Runs a request; on 401 refreshes the session once and tries again. */
async function send<T>(run: () => Promise<Result>, { refresh = true } = {}): Promise<T> {
  let result = await run();
  if (result.response.status === 401 && refresh && (await refreshSession())) {
    result = await run();
  }
  if (!result.response.ok) {
    const retry = Number(result.response.headers.get("Retry-After"));
    throw new ApiError(
      result.response.status,
      detailOf(result.error, result.response),
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
  }
  return result.data as T;
}

export const api = {
  register: (email: string, password: string) =>
    send<UserInfo>(() => client.POST("/api/auth/register", { body: { email, password } }), { refresh: false }),
  login: (email: string, password: string) =>
    send<UserInfo>(() => client.POST("/api/auth/login", { body: { email, password } }), { refresh: false }),
  logout: () => send<void>(() => client.POST("/api/auth/logout", { parseAs: "text" }), { refresh: false }),
  me: () => send<UserInfo>(() => client.GET("/api/auth/me")),

  startScan: (body: ScanRequestBody) =>
    send<ScanStarted>(() => client.POST("/api/scans", { body })),
  scans: (page: number, pageSize: number) =>
    send<Page<ScanListItem>>(() => client.GET("/api/scans", { params: { query: { page, page_size: pageSize } } })),
  scan: (id: string) =>
    send<AnyScanView>(() => client.GET("/api/scans/{scan_id}", { params: { path: { scan_id: id } } })),
  addresses: (id: string) =>
    send<AddressList>(() => client.GET("/api/scans/{scan_id}/addresses", { params: { path: { scan_id: id } } })),
  transactions: (id: string, page: number, pageSize: number, direction: Direction | null) =>
    send<TransactionPage>(() =>
      client.GET("/api/scans/{scan_id}/transactions", {
        params: { path: { scan_id: id }, query: { page, page_size: pageSize, direction: direction ?? undefined } },
      }),
    ),
  utxos: (id: string) =>
    send<UtxoList>(() => client.GET("/api/scans/{scan_id}/utxos", { params: { path: { scan_id: id } } })),
  history: (id: string, interval: "day" | "month") =>
    send<History>(() =>
      client.GET("/api/scans/{scan_id}/history", { params: { path: { scan_id: id }, query: { interval } } }),
    ),
  tokens: (id: string) =>
    send<TokenList>(() => client.GET("/api/scans/{scan_id}/tokens", { params: { path: { scan_id: id } } })),
};

export function reportUrl(id: string, format: "csv" | "json" | "pdf"): string {
  return `/api/scans/${encodeURIComponent(id)}/report.${format}`;
}

export function eventsUrl(id: string): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}/api/scans/${encodeURIComponent(id)}/events`;
}
