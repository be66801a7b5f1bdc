import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push }) }));

const startScan = vi.fn();
vi.mock("@/lib/api", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/api")>();
  return { ...original, api: { startScan: (body: unknown) => startScan(body) } };
});

const { ScanForm } = await import("./scan-form");

const ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7";

function renderForm() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <ScanForm />
    </QueryClientProvider>,
  );
}

describe("ScanForm with an 0x address", () => {
  beforeEach(() => {
    push.mockReset();
    startScan.mockReset();
  });

  it("scans one chain by default and sends `chain`", async () => {
    startScan.mockResolvedValue({ id: "s1", status: "queued" });
    const user = userEvent.setup();
    renderForm();
    await user.type(screen.getByLabelText("Address, xpub or descriptor"), ADDRESS);
    expect(screen.getByLabelText("Chain")).toHaveValue("ethereum");
    await user.click(screen.getByRole("button", { name: "Scan" }));

    await waitFor(() => expect(push).toHaveBeenCalledWith("/scans/s1"));
    const body = startScan.mock.calls[0]?.[0] as Record<string, unknown>;
    expect(body).toMatchObject({ input: ADDRESS, chain: "ethereum", gap_limit: 20 });
    expect(body).not.toHaveProperty("chains");
  });

  it("sends `chains` when several are ticked, and opens the group", async () => {
    startScan.mockResolvedValue({
      id: "g1",
      status: "queued",
      scans: [
        { id: "c1", chain: "ethereum" },
        { id: "c2", chain: "base" },
      ],
    });
    const user = userEvent.setup();
    renderForm();
    await user.type(screen.getByLabelText("Address, xpub or descriptor"), ADDRESS);
    await user.click(screen.getByLabelText("Scan several chains at once"));

    const chains = screen.getByRole("group", { name: "Chains" });
    expect(chains).toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Ethereum" })).toBeChecked();
    await user.click(screen.getByRole("checkbox", { name: "Base" }));
    await user.click(screen.getByRole("button", { name: "Scan" }));

    await waitFor(() => expect(push).toHaveBeenCalledWith("/scans/g1"));
    expect(startScan).toHaveBeenCalledWith(expect.objectContaining({ input: ADDRESS, chain: null, chains: ["ethereum", "base"] }));
  });

  it("asks for a chain when none is ticked, and sends nothing", async () => {
    const user = userEvent.setup();
    renderForm();
    await user.type(screen.getByLabelText("Address, xpub or descriptor"), ADDRESS);
    await user.click(screen.getByLabelText("Scan several chains at once"));
    await user.click(screen.getByRole("checkbox", { name: "Ethereum" }));
    await user.click(screen.getByRole("button", { name: "Scan" }));

    expect(screen.getByRole("alert")).toHaveTextContent("Pick at least one chain.");
    expect(startScan).not.toHaveBeenCalled();
  });
});
