import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ScanProgress } from "./progress";

describe("ScanProgress", () => {
  it("exposes a progressbar with the phase and the counts", () => {
    render(
      <ScanProgress
        connection="live"
        state={{ status: "running", phase: "fetching", addresses_derived: 58, addresses_fetched: 45, percent: 77.6 }}
      />,
    );
    const bar = screen.getByRole("progressbar", { name: "Scan progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "77");
    expect(bar).toHaveAttribute("aria-valuetext", "Fetching balances and history: 45 of 58 addresses fetched, 77%");
    expect(screen.getByText("Live")).toBeInTheDocument();
  });

  it("says it is reconnecting without losing what it showed", () => {
    render(
      <ScanProgress
        connection="reconnecting"
        state={{ status: "running", phase: "deriving", addresses_derived: 0, addresses_fetched: 0, percent: 5 }}
      />,
    );
    expect(screen.getByText("Reconnecting…")).toBeInTheDocument();
    expect(screen.getByText("Preparing addresses")).toBeInTheDocument();
  });
});
