import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ScanSummary } from "@/api/types";
import { ReconciliationVerdict, SummaryCards } from "./summary";

const summary: ScanSummary = {
  balance: "2100000000000001",
  confirmed_balance: "2100000000000000",
  unconfirmed_balance: "1",
  total_received: "2100000000000001",
  total_sent: "0",
  total_fees: "0",
  tx_count: 1234,
  used_address_count: 9,
  scanned_address_count: 79,
  first_seen: "2020-09-14T00:00:00+00:00",
  last_seen: "2021-02-07T00:00:00+00:00",
  reconciled: true,
};

describe("SummaryCards", () => {
  it("prints amounts exactly, beyond floating point", () => {
    render(<SummaryCards summary={summary} unit="BTC" decimals={8} />);
    expect(screen.getByTestId("stat-balance")).toHaveTextContent("21,000,000.00000001 BTC");
    expect(screen.getByTestId("stat-balance")).toHaveTextContent("21,000,000.00000000 BTC confirmed");
    expect(screen.getByTestId("stat-balance")).toHaveTextContent("+0.00000001 BTC pending");
    expect(screen.getByTestId("stat-transactions")).toHaveTextContent("1,234");
    expect(screen.getByTestId("stat-addresses")).toHaveTextContent("of 79 scanned");
  });
});

describe("ReconciliationVerdict", () => {
  it("explains a mismatch in plain words with the difference", () => {
    render(
      <ReconciliationVerdict
        reconciled={false}
        unit="BTC"
        decimals={8}
        reconciliation={{
          reconciled: false,
          rebuilt_balance: "1000",
          provider_balance: "1500",
          mismatches: [{ address: "bc1qexample", rebuilt_balance: "1000", provider_balance: "1500" }],
        }}
      />,
    );
    expect(screen.getByRole("heading")).toHaveTextContent("Not reconciled");
    expect(screen.getByText(/a difference of/)).toHaveTextContent("−0.00000500 BTC");
    expect(screen.getByText("bc1qexample")).toBeInTheDocument();
  });
});
