"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useMemo, useState } from "react";
import { api, ApiError } from "@/lib/api";
import { CHAIN_LABELS, detectInput, EVM_CHAINS, SCRIPT_LABELS, SCRIPT_TYPES, type Detection } from "@/lib/detect";
import { AlertIcon, CheckIcon, ShieldCheckIcon } from "./icons";
import { Alert, Badge, Button, Card, Spinner, cx } from "./ui";

const GAP_MIN = 1;
const GAP_MAX = 1000;

function DetectionLine({ detection, id }: { detection: Detection; id: string }) {
  if (detection.state === "empty") {
    return (
      <p id={id} className="flex items-start gap-1.5 text-sm text-slate-500 dark:text-slate-400">
        <ShieldCheckIcon className="mt-0.5 shrink-0" />
        Watch-only: paste a public key or addresses. Never a private key or seed phrase.
      </p>
    );
  }
  if (detection.state === "error") {
    return (
      <p id={id} role="alert" className="flex items-start gap-1.5 text-sm text-rose-700 dark:text-rose-400">
        <AlertIcon className="mt-0.5 shrink-0" />
        <span>{detection.message}</span>
      </p>
    );
  }
  const chain = detection.chain ? CHAIN_LABELS[detection.chain] : "EVM address";
  const script = detection.scriptType ? SCRIPT_LABELS[detection.scriptType] : null;
  return (
    <div id={id} aria-live="polite" className="space-y-1">
      <p className="flex flex-wrap items-center gap-1.5 text-sm text-slate-700 dark:text-slate-300">
        <CheckIcon className="shrink-0 text-emerald-600 dark:text-emerald-400" />
        <span className="sr-only">Recognised:</span>
        <Badge tone="info">{chain}</Badge>
        <Badge>{detection.keyType}</Badge>
        {script ? <Badge>{script}</Badge> : null}
      </p>
      {detection.note ? <p className="text-xs text-slate-500 dark:text-slate-400">{detection.note}</p> : null}
    </div>
  );
}

export function ScanForm() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [input, setInput] = useState("");
  const [chain, setChain] = useState<string>("ethereum");
  // An 0x address exists on every EVM chain: one chain by default, several on request.
  const [several, setSeveral] = useState(false);
  const [chains, setChains] = useState<string[]>(["ethereum"]);
  const [gapLimit, setGapLimit] = useState("20");
  const [scriptTypes, setScriptTypes] = useState<string[]>([]);
  const [showErrors, setShowErrors] = useState(false);
  const ids = {
    input: useId(),
    detection: useId(),
    chain: useId(),
    several: useId(),
    chainsHelp: useId(),
    gap: useId(),
    gapHelp: useId(),
  };
  const detection = useMemo(() => detectInput(input), [input]);
  const isKey = detection.state === "ok" && detection.kind === "xpub";
  const gap = Number(gapLimit);
  const gapValid = Number.isInteger(gap) && gap >= GAP_MIN && gap <= GAP_MAX;
  const needsChain = detection.state === "ok" && detection.needsChain;
  // In the order of the registry, whatever order they were ticked in.
  const pickedChains = EVM_CHAINS.filter((c) => chains.includes(c));
  const noChain = needsChain && several && pickedChains.length === 0;

  const start = useMutation({
    mutationFn: () =>
      api.startScan({
        input: input.trim(),
        ...(!needsChain
          ? { chain: null }
          : several && pickedChains.length > 1
            ? { chain: null, chains: pickedChains }
            : { chain: several ? (pickedChains[0] ?? chain) : chain }),
        gap_limit: gap,
        script_types: isKey && scriptTypes.length ? scriptTypes : null,
      }),
    onSuccess: async ({ id }) => {
      await queryClient.invalidateQueries({ queryKey: ["scans"] });
      router.push(`/scans/${id}`);
    },
  });

  // Secrets never leave the browser. Other doubts go to the gateway, which has the last word.
  const blocked = detection.state === "empty" || (detection.state === "error" && detection.secret) || !gapValid || noChain;
  const serverError =
    start.error instanceof ApiError
      ? start.error.status === 429
        ? "You have started many scans in the last hour. Wait a few minutes and try again."
        : start.error.detail.charAt(0).toUpperCase() + start.error.detail.slice(1)
      : start.error
        ? "Could not reach walletscan. Check your connection and try again."
        : null;

  return (
    <Card aria-labelledby="scan-title">
      <form
        className="p-4 sm:p-6"
        onSubmit={(event) => {
          event.preventDefault();
          setShowErrors(true);
          if (!blocked && !start.isPending) start.mutate();
        }}
      >
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h1 id="scan-title" className="text-lg font-semibold tracking-tight">
            Scan a wallet
          </h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">xpub · zpub · descriptors · Bitcoin and 0x addresses</p>
        </div>
        <label htmlFor={ids.input} className="mt-4 block text-sm font-medium">
          Address, xpub or descriptor
        </label>
        <div className="mt-1.5 flex flex-col gap-3 sm:flex-row sm:items-start">
          <textarea
            id={ids.input}
            value={input}
            onChange={(e) => {
              setInput(e.target.value);
              start.reset();
            }}
            onKeyDown={(e) => {
              // Enter scans; Shift+Enter adds a line for a list of addresses.
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
            rows={1}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            autoCorrect="off"
            placeholder="Paste a zpub, xpub or address"
            aria-describedby={ids.detection}
            aria-invalid={detection.state === "error"}
            className={cx(
              "block max-h-60 min-h-[2.75rem] w-full flex-1 resize-none rounded-lg [field-sizing:content] border bg-white px-3 py-2.5 font-mono text-sm shadow-sm placeholder:font-sans placeholder:text-slate-400 focus:outline-none focus:ring-2 dark:bg-slate-950",
              detection.state === "error"
                ? "border-rose-400 focus:border-rose-500 focus:ring-rose-500/30 dark:border-rose-500/60"
                : "border-slate-300 focus:border-brand-500 focus:ring-brand-500/30 dark:border-slate-700",
            )}
          />
          <Button type="submit" className="h-11 px-6 sm:w-auto" disabled={start.isPending || (showErrors && blocked)}>
            {start.isPending ? <Spinner /> : null}
            Scan
          </Button>
        </div>
        <div className="mt-2 min-h-[1.5rem]">
          {showErrors && detection.state === "empty" ? (
            <p id={ids.detection} role="alert" className="flex items-start gap-1.5 text-sm text-rose-700 dark:text-rose-400">
              <AlertIcon className="mt-0.5 shrink-0" />
              Paste an extended public key, an address or a list of addresses first.
            </p>
          ) : (
            <DetectionLine detection={detection} id={ids.detection} />
          )}
        </div>

        {needsChain ? (
          <div className="mt-3">
            {several ? (
              <fieldset aria-describedby={ids.chainsHelp}>
                <legend className="block text-sm font-medium">Chains</legend>
                <div className="mt-1.5 grid grid-cols-2 gap-x-4 gap-y-1.5 sm:grid-cols-3 lg:grid-cols-4">
                  {EVM_CHAINS.map((c) => (
                    <label key={c} className="flex min-h-[2rem] items-center gap-2 text-sm">
                      <input
                        type="checkbox"
                        name="chains"
                        value={c}
                        className="h-4 w-4 rounded border-slate-300 accent-brand-600"
                        checked={chains.includes(c)}
                        onChange={(e) => {
                          setChains((current) => (e.target.checked ? [...current, c] : current.filter((v) => v !== c)));
                          start.reset();
                        }}
                      />
                      {CHAIN_LABELS[c]}
                    </label>
                  ))}
                </div>
                <p
                  id={ids.chainsHelp}
                  role={showErrors && noChain ? "alert" : undefined}
                  className={cx("mt-1 text-xs", showErrors && noChain ? "text-rose-700 dark:text-rose-400" : "text-slate-500 dark:text-slate-400")}
                >
                  {noChain
                    ? "Pick at least one chain."
                    : pickedChains.length > 1
                      ? `One scan, ${pickedChains.length} chains: each gets its own section with its own balance.`
                      : "Tick every chain to scan this address on."}
                </p>
              </fieldset>
            ) : (
              <>
                <label htmlFor={ids.chain} className="block text-sm font-medium">
                  Chain
                </label>
                <select
                  id={ids.chain}
                  value={chain}
                  onChange={(e) => setChain(e.target.value)}
                  className="mt-1.5 block w-full max-w-xs rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950"
                >
                  {EVM_CHAINS.map((c) => (
                    <option key={c} value={c}>
                      {CHAIN_LABELS[c]}
                    </option>
                  ))}
                </select>
                <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">An 0x address exists on every EVM chain: pick the one to scan.</p>
              </>
            )}
            <label htmlFor={ids.several} className="mt-2 flex items-center gap-2 text-sm">
              <input
                id={ids.several}
                type="checkbox"
                className="h-4 w-4 rounded border-slate-300 accent-brand-600"
                checked={several}
                onChange={(e) => {
                  const on = e.target.checked;
                  setSeveral(on);
                  // Carry the choice over: the chain picked so far starts the list.
                  if (on) setChains((current) => (current.length > 1 ? current : [chain]));
                  else if (pickedChains[0]) setChain(pickedChains[0]);
                  start.reset();
                }}
              />
              Scan several chains at once
            </label>
          </div>
        ) : null}

        <details className="group mt-4 rounded-lg border border-slate-200 dark:border-slate-800">
          <summary className="cursor-pointer select-none rounded-lg px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 dark:text-slate-300 dark:hover:bg-slate-800/60">
            Advanced options
            <span className="ml-2 font-normal text-slate-500 dark:text-slate-400">
              gap limit {gapValid ? gap : "?"}
              {scriptTypes.length ? ` · ${scriptTypes.length} script type${scriptTypes.length > 1 ? "s" : ""}` : ""}
            </span>
          </summary>
          <div className="grid gap-5 border-t border-slate-200 px-3 py-4 sm:grid-cols-[12rem_1fr] dark:border-slate-800">
            <div>
              <label htmlFor={ids.gap} className="block text-sm font-medium">
                Gap limit
              </label>
              <input
                id={ids.gap}
                type="number"
                inputMode="numeric"
                min={GAP_MIN}
                max={GAP_MAX}
                value={gapLimit}
                onChange={(e) => setGapLimit(e.target.value)}
                aria-describedby={ids.gapHelp}
                aria-invalid={!gapValid}
                className="mt-1.5 block w-28 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950"
              />
              <p id={ids.gapHelp} className={cx("mt-1 text-xs", gapValid ? "text-slate-500 dark:text-slate-400" : "text-rose-700 dark:text-rose-400")}>
                {gapValid ? "Unused addresses in a row before a chain ends (20 is standard)." : `A whole number from ${GAP_MIN} to ${GAP_MAX}.`}
              </p>
            </div>
            <fieldset disabled={!isKey}>
              <legend className="text-sm font-medium">Script types</legend>
              <p className="text-xs text-slate-500 dark:text-slate-400">
                {isKey ? "Leave empty to use what the key implies (a bare xpub checks the three common types)." : "For extended public keys only."}
              </p>
              <div className="mt-2 grid gap-1.5 sm:grid-cols-2">
                {SCRIPT_TYPES.map((t) => (
                  <label key={t.value} className={cx("flex items-center gap-2 text-sm", !isKey && "opacity-50")}>
                    <input
                      type="checkbox"
                      className="h-4 w-4 rounded border-slate-300 accent-brand-600"
                      checked={scriptTypes.includes(t.value)}
                      onChange={(e) =>
                        setScriptTypes((current) =>
                          e.target.checked ? [...current, t.value] : current.filter((v) => v !== t.value),
                        )
                      }
                    />
                    {t.label}
                  </label>
                ))}
              </div>
            </fieldset>
          </div>
        </details>

        {serverError ? (
          <div className="mt-4">
            <Alert title="The scan could not start">{serverError}</Alert>
          </div>
        ) : null}
      </form>
    </Card>
  );
}
