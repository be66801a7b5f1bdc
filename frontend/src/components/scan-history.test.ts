import { describe, expect, it } from "vitest";
import type { ScanListItem } from "@/api/types";
import { combinedStatus, historyRows } from "./scan-history";

function item(id: string, chain: string, group_id: string | null, status: ScanListItem["status"] = "completed"): ScanListItem {
  return {
    id,
    status,
    input: "0xabc",
    input_type: "address",
    chain,
    unit: "ETH",
    decimals: 18,
    balance: "1",
    tx_count: 1,
    requested_at: "2024-05-01T10:00:00+00:00",
    completed_at: null,
    group_id,
  };
}

describe("historyRows", () => {
  it("folds the chains of a group into one row where the group first appears", () => {
    const rows = historyRows([item("a", "bitcoin", null), item("b", "base", "g"), item("c", "ethereum", "g"), item("d", "bitcoin", null)]);
    expect(rows.map((r) => `${r.kind}:${r.id}`)).toEqual(["scan:a", "group:g", "scan:d"]);
    const group = rows[1];
    expect(group?.kind === "group" && group.scans.map((s) => s.chain)).toEqual(["ethereum", "base"]);
  });

  it("combines the status of the chains", () => {
    expect(combinedStatus([item("a", "ethereum", "g", "completed"), item("b", "base", "g", "running")])).toBe("running");
    expect(combinedStatus([item("a", "ethereum", "g", "queued"), item("b", "base", "g", "queued")])).toBe("queued");
    expect(combinedStatus([item("a", "ethereum", "g"), item("b", "base", "g")])).toBe("completed");
    expect(combinedStatus([item("a", "ethereum", "g"), item("b", "base", "g", "failed")])).toBe("failed");
  });
});
