import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { GroupScanView, ScanView } from "@/api/types";

const scan = vi.fn();
vi.mock("@/lib/api", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/api")>();
  const empty = (unit: string) => ({ unit, decimals: 18, items: [] });
  return {
    ...original,
    api: {
      scan: (id: string) => scan(id),
      history: () => Promise.resolve({ unit: "ETH", decimals: 18, interval: "day", points: [] }),
      transactions: () => Promise.resolve({ unit: "ETH", decimals: 18, items: [], page: 1, page_size: 25, total: 0 }),
      addresses: () => Promise.resolve(empty("ETH")),
      tokens: () => Promise.resolve(empty("ETH")),
      utxos: () => Promise.resolve(empty("ETH")),
    },
  };
});

const { ScanPage } = await import("./scan-page");

function child(id: string, chain: string, unit: string, balance: string): ScanView {
  return {
    id,
    group_id: "g1",
    status: "completed",
    input: "0x52908400098527886E0F7030069857D2E4169EE7",
    input_type: "address",
    chain,
    unit,
    decimals: 18,
    gap_limit: null,
    script_types: [],
    progress: { phase: "completed", addresses_derived: 1, addresses_fetched: 1, percent: 100 },
    summary: {
      unit,
      decimals: 18,
      balance,
      confirmed_balance: balance,
      unconfirmed_balance: "0",
      total_received: balance,
      total_sent: "0",
      total_fees: "0",
      tx_count: 1,
      used_address_count: 1,
      scanned_address_count: 1,
      first_seen: "2024-01-02T00:00:00+00:00",
      last_seen: "2024-01-02T00:00:00+00:00",
      reconciled: true,
    },
    reconciliation: { reconciled: true, rebuilt_balance: balance, provider_balance: balance, mismatches: [] },
    error: null,
    requested_at: "2024-05-01T10:00:00+00:00",
    completed_at: "2024-05-01T10:00:09+00:00",
  };
}

const group: GroupScanView = {
  id: "g1",
  group: true,
  status: "completed",
  input: "0x52908400098527886E0F7030069857D2E4169EE7",
  input_type: "address",
  chain: "multiple",
  chains: ["ethereum", "polygon"],
  requested_at: "2024-05-01T10:00:00+00:00",
  completed_at: "2024-05-01T10:00:09+00:00",
  sections: [child("c-eth", "ethereum", "ETH", "1500000000000000000"), child("c-pol", "polygon", "POL", "42000000000000000000")],
};

function renderPage(id: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ScanPage scanId={id} />
    </QueryClientProvider>,
  );
}

describe("ScanPage for a multi-chain group", () => {
  beforeEach(() => scan.mockReset());

  it("shows the group head and one section per chain, each with its own figures and reports", async () => {
    scan.mockResolvedValue(group);
    renderPage("g1");

    expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent(group.input!);
    expect(screen.getByText("2 chains")).toBeInTheDocument();
    expect(scan).toHaveBeenCalledWith("g1");

    const sections = screen.getAllByTestId("chain-section");
    expect(sections).toHaveLength(2);
    const [eth, pol] = sections as [HTMLElement, HTMLElement];
    expect(within(eth).getByRole("heading", { level: 2, name: "Ethereum" })).toBeInTheDocument();
    expect(within(pol).getByRole("heading", { level: 2, name: "Polygon" })).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Ethereum" })).toBe(eth);

    expect(within(eth).getByTestId("stat-balance")).toHaveTextContent("1.5");
    expect(within(eth).getByTestId("stat-balance")).toHaveTextContent("ETH");
    expect(within(pol).getByTestId("stat-balance")).toHaveTextContent("42");
    expect(within(pol).getByTestId("stat-balance")).toHaveTextContent("POL");

    expect(within(eth).getByRole("link", { name: "Download CSV" })).toHaveAttribute("href", "/api/scans/c-eth/report.csv");
    expect(within(pol).getByRole("link", { name: "Download PDF" })).toHaveAttribute("href", "/api/scans/c-pol/report.pdf");
    expect(within(pol).getByText("Reconciled: the numbers add up")).toBeInTheDocument();
  });

  it("keeps a single scan as it was, with a way back to its group", async () => {
    scan.mockResolvedValue(child("c-pol", "polygon", "POL", "42000000000000000000"));
    renderPage("c-pol");

    expect(await screen.findByTestId("stat-balance")).toHaveTextContent("POL");
    expect(screen.queryAllByTestId("chain-section")).toHaveLength(0);
    expect(screen.getByRole("link", { name: /several chains/ })).toHaveAttribute("href", "/scans/g1");
    expect(screen.getByRole("link", { name: "Download CSV" })).toHaveAttribute("href", "/api/scans/c-pol/report.csv");
  });
});
