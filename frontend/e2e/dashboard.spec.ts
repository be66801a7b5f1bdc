// The dashboard in a real browser against the real stack and the Esplora simulator:
// sign up, sign in, scan a zpub with live progress, check every number against totals the
// harness computed independently from the simulated chain, page through transactions,
// download the CSV, sign out; a second user cannot open the first user's scan.
import { expect, test, type Page } from "@playwright/test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

interface Expected {
  zpub: string;
  gap_limit: number;
  unit: string;
  balance: string;
  confirmed_balance: string;
  unconfirmed_balance: string;
  total_received: string;
  total_sent: string;
  total_fees: string;
  tx_count: number;
  used_address_count: number;
  scanned_address_count: number;
  confirmed_received: string;
  confirmed_sent: string;
  balance_base_units: string;
  unconfirmed_txid: string;
  out_count: number;
}

const expected = JSON.parse(process.env.WALLETSCAN_EXPECTED ?? "{}") as Expected;
const artifacts = process.env.ARTIFACTS_DIR ?? path.resolve("test-results", "artifacts");
mkdirSync(artifacts, { recursive: true });

const PASSWORD = "correct horse battery staple 42";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const XPRV =
  "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";

const email = `owner-${Date.now().toString(36)}@example.com`;
let scanUrl = "";

/** "1,234.56789012" -> 123456789012n: the figure on screen read back in base units. */
function baseUnits(text: string, decimals = 8): bigint {
  const match = /([−+-]?)([\d,]+)\.(\d+)/.exec(text);
  if (!match) throw new Error(`no amount in ${JSON.stringify(text)}`);
  const [, sign, whole, fraction] = match;
  const value = BigInt(`${whole!.replaceAll(",", "")}${fraction!.padEnd(decimals, "0")}`);
  return sign === "−" || sign === "-" ? -value : value;
}

async function signUp(page: Page, address: string) {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(address);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Scan a wallet" })).toBeVisible();
}

async function shoot(page: Page, name: string, viewport: { width: number; height: number }) {
  await page.setViewportSize(viewport);
  await page.waitForTimeout(400); // charts resize on the next frame
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

test.describe.serial("dashboard", () => {
  test("protected pages send a visitor to sign in", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });

  test("sign up explains what is wrong, then creates the account", async ({ page }) => {
    await page.goto("/sign-up");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "must be at least 10 characters" })).toBeVisible();

    await signUp(page, email);
    // Signed in straight away; the history is empty.
    await expect(page.getByText("No scans yet")).toBeVisible();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);

    await page.goto("/sign-up");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "already exists" })).toBeVisible();
  });

  test("sign in, scan a zpub with live progress, check the numbers", async ({ page }) => {
    // Record every value the progress bar shows from the moment it appears
    // (the app navigates client-side, so this observer lives through the whole test).
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __progress: string[] }).__progress = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"]');
        const value = bar?.getAttribute("aria-valuenow");
        if (value !== null && value !== undefined && seen[seen.length - 1] !== value) seen.push(value);
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow"] });
    });
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password 123");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "not right" })).toBeVisible();
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Scan a wallet" })).toBeVisible();

    const input = page.getByLabel("Address, xpub or descriptor");
    // A private key is refused in the browser, before anything is sent.
    await input.fill(XPRV);
    await expect(page.getByRole("alert").filter({ hasText: "private key" })).toBeVisible();
    await page.getByRole("button", { name: "Scan" }).click();
    await expect(page).toHaveURL(/\/$/);

    // Recognised as the user types.
    await input.fill(expected.zpub);
    await expect(page.getByText("Recognised:")).toBeAttached();
    await expect(page.getByText("native SegWit", { exact: true })).toBeVisible();
    await page.getByText("Advanced options").click();
    await page.getByLabel("Gap limit").fill(String(expected.gap_limit));

    await page.getByRole("button", { name: "Scan" }).click();
    await expect(page).toHaveURL(/\/scans\/[0-9a-f]+$/);
    scanUrl = page.url();

    const bar = page.getByRole("progressbar");
    await expect(bar).toBeVisible();
    await expect(bar).toHaveAttribute("aria-valuetext", /addresses|Preparing/);
    await shoot(page, "scan-in-progress-desktop", DESKTOP);

    await expect(page.getByTestId("stat-balance")).toBeVisible({ timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
    console.log(`progress bar values: ${seen.join(", ")}`);
    expect(new Set(seen).size, `the progress bar moved: ${seen.join(", ")}`).toBeGreaterThan(1);
    await expect(bar).toHaveCount(0);

    // Summary cards, exact figures with the unit.
    await expect(page.getByTestId("stat-balance")).toContainText(`${expected.balance} ${expected.unit}`);
    await expect(page.getByTestId("stat-balance")).toContainText(`${expected.confirmed_balance} ${expected.unit} confirmed`);
    await expect(page.getByTestId("stat-received")).toContainText(`${expected.total_received} ${expected.unit}`);
    await expect(page.getByTestId("stat-sent")).toContainText(`${expected.total_sent} ${expected.unit}`);
    await expect(page.getByTestId("stat-fees")).toContainText(`${expected.total_fees} ${expected.unit}`);
    await expect(page.getByTestId("stat-transactions")).toContainText(String(expected.tx_count));
    await expect(page.getByTestId("stat-addresses")).toContainText(String(expected.used_address_count));
    await expect(page.getByTestId("stat-addresses")).toContainText(`of ${expected.scanned_address_count} scanned`);
    await expect(page.getByText("Reconciled: the numbers add up")).toBeVisible();

    // Both charts drew, and the figures behind them are right: the balance line ends at the
    // confirmed balance, the monthly bars add up to what was received and sent (confirmed).
    const balanceChart = page.getByTestId("balance-chart");
    await expect(balanceChart.locator(".recharts-area-curve")).toHaveCount(1);
    const balances = await page.getByTestId("balance-table").locator("td").allTextContents();
    expect(balances.length).toBeGreaterThan(1);
    expect(balances.at(-1)).toBe(`${expected.confirmed_balance} ${expected.unit}`);
    const flowChart = page.getByTestId("flow-chart");
    const months = await page.getByTestId("flow-table").locator("tbody tr").count();
    expect(months).toBeGreaterThan(1);
    await expect(flowChart.locator(".recharts-bar-rectangle path, .recharts-bar-rectangle").first()).toBeAttached();
    const sum = async (field: string) =>
      (await page.getByTestId("flow-table").locator(`td[data-field="${field}"]`).allTextContents())
        .map((t) => baseUnits(t))
        .reduce((a, b) => a + b, 0n);
    expect(await sum("received")).toBe(BigInt(expected.confirmed_received));
    expect(await sum("sent")).toBe(BigInt(expected.confirmed_sent));

    await shoot(page, "scan-completed-desktop", DESKTOP);
    await shoot(page, "scan-completed-phone", PHONE);
    await page.setViewportSize(DESKTOP);

    // Transactions: newest first (the unconfirmed payment), 25 a page, then the next page.
    const table = page.getByTestId("transactions");
    const rows = table.locator("tbody tr");
    await expect(rows).toHaveCount(25);
    await expect(rows.first()).toHaveAttribute("data-txid", expected.unconfirmed_txid);
    await expect(rows.first()).toContainText("Unconfirmed");
    await expect(rows.first()).toContainText("+0.00042000");
    const explorer = rows.first().getByRole("link");
    await expect(explorer).toHaveAttribute("href", `https://mempool.space/tx/${expected.unconfirmed_txid}`);
    await expect(page.getByText(`1–25 of ${expected.tx_count}`)).toBeVisible();
    const firstPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-txid")));
    await page.getByRole("navigation", { name: "Transaction pages" }).getByRole("button", { name: "Next" }).click();
    await expect(page.getByText(`26–50 of ${expected.tx_count}`)).toBeVisible();
    await expect(rows.first()).not.toHaveAttribute("data-txid", firstPage[0] ?? "");
    const secondPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-txid")));
    expect(secondPage.filter((t) => firstPage.includes(t))).toEqual([]);

    // Filter by direction: only money going out.
    await page.getByRole("group", { name: "Filter by direction" }).getByRole("button", { name: "Out" }).click();
    await expect(page.getByText(`1–${expected.out_count} of ${expected.out_count}`)).toBeVisible();
    for (const text of await rows.locator("td:nth-child(3)").allTextContents()) {
      expect(text.startsWith("−"), text).toBe(true);
    }

    // Addresses with derivation paths; the tabs work from the keyboard.
    await page.getByRole("tab", { name: /Transactions/ }).focus();
    await page.keyboard.press("ArrowRight");
    await expect(page.getByRole("tab", { name: /Addresses/ })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("tab", { name: /Addresses/ })).toBeFocused();
    await expect(page.getByTestId("addresses")).toContainText("m/84'/0'/0'/0/0");
    await expect(page.getByTestId("addresses")).toContainText("m/84'/0'/0'/1/0");

    // The CSV report: one row per transaction, amounts adding up to the balance.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    const csvPath = path.join(artifacts, "report.csv");
    await download.saveAs(csvPath);
    const lines = readFileSync(csvPath, "utf8").trim().split(/\r?\n/);
    const header = lines[0]!.split(",");
    const amountColumn = header.indexOf("amount_base_units");
    expect(amountColumn).toBeGreaterThanOrEqual(0);
    expect(lines.length - 1).toBe(expected.tx_count);
    const total = lines.slice(1).reduce((acc, line) => acc + BigInt(line.split(",")[amountColumn]!), 0n);
    expect(total).toBe(BigInt(expected.balance_base_units));
    await expect(page.getByRole("link", { name: "Download JSON" })).toHaveAttribute("href", /report\.json$/);
    await expect(page.getByRole("link", { name: "Download PDF" })).toHaveAttribute("href", /report\.pdf$/);

    // The dashboard lists the scan with its balance.
    await page.getByRole("link", { name: "← Your scans" }).click();
    await expect(page.getByRole("heading", { name: "Your scans" })).toBeVisible();
    await expect(page.getByRole("table").getByText(`${expected.balance}`)).toBeVisible();
    await shoot(page, "dashboard-desktop", DESKTOP);
    await shoot(page, "dashboard-phone", PHONE);

    // Dark mode, for a look.
    await page.setViewportSize(DESKTOP);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(scanUrl);
    await expect(page.getByTestId("stat-balance")).toBeVisible();
    await shoot(page, "scan-completed-desktop-dark", DESKTOP);
    await page.emulateMedia({ colorScheme: "light" });

    // Sign out: the session is gone and protected pages send back to sign in.
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto(scanUrl);
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    writeFileSync(path.join(artifacts, "scan-url.txt"), scanUrl);
  });

  test("another user cannot open the scan", async ({ page }) => {
    expect(scanUrl).not.toBe("");
    await signUp(page, `intruder-${Date.now().toString(36)}@example.com`);
    await expect(page.getByText("No scans yet")).toBeVisible();
    await page.goto(scanUrl);
    await expect(page.getByText("Scan not found")).toBeVisible();
    await expect(page.getByText("belongs to another account")).toBeVisible();
    await expect(page.getByTestId("stat-balance")).toHaveCount(0);
  });
});
