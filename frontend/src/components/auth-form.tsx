"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useId, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "@/lib/api";
import { Alert, Button, Card, Spinner } from "./ui";

type Mode = "sign-in" | "sign-up";

function safeNext(value: string | null): string {
  // Only paths of this site: "//evil.example" or "https://…" would leave it.
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

function minutes(seconds: number | null): string {
  if (!seconds) return "a few minutes";
  const m = Math.ceil(seconds / 60);
  return m <= 1 ? "a minute" : `${m} minutes`;
}

export function explainAuthError(error: unknown, mode: Mode): { message: string; hint?: "sign-in" } {
  if (!(error instanceof ApiError)) return { message: "Could not reach walletscan. Check your connection and try again." };
  switch (error.status) {
    case 401:
      return { message: "The email or password is not right." };
    case 409:
      return { message: "An account with this email already exists.", hint: "sign-in" };
    case 422:
      return { message: mode === "sign-up" ? capitalise(error.detail) : "Check the email and password." };
    case 429:
      return { message: `Too many attempts. Wait ${minutes(error.retryAfterSeconds)} and try again.` };
    default:
      return { message: error.status >= 500 ? "walletscan is unavailable right now. Try again in a moment." : capitalise(error.detail) };
  }
}

function capitalise(text: string): string {
  const t = text.trim();
  return t ? t[0]!.toUpperCase() + t.slice(1) : t;
}

export function AuthForm({ mode }: { mode: Mode }) {
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: "sign-in" } | null>(null);
  const ids = { email: useId(), password: useId(), help: useId() };
  const signUp = mode === "sign-up";
  const next = safeNext(params.get("next"));

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (signUp) await api.register(email.trim(), password);
      const user = await api.login(email.trim(), password);
      queryClient.setQueryData(["me"], user);
      router.replace(next);
    } catch (err) {
      setError(explainAuthError(err, mode));
      setBusy(false);
    }
  }

  return (
    <Card className="w-full max-w-sm p-6 sm:p-8">
      <h1 className="text-xl font-semibold tracking-tight">{signUp ? "Create your account" : "Sign in to walletscan"}</h1>
      <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">
        {signUp ? "Scan the wallets you watch and keep their history in one place." : "Welcome back. Your scans are waiting."}
      </p>
      <form className="mt-6 space-y-4" onSubmit={submit} noValidate>
        <div>
          <label htmlFor={ids.email} className="block text-sm font-medium">
            Email
          </label>
          <input
            id={ids.email}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            className="mt-1.5 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/30 dark:border-slate-700 dark:bg-slate-950"
            placeholder="you@example.com"
          />
        </div>
        <div>
          <label htmlFor={ids.password} className="block text-sm font-medium">
            Password
          </label>
          <input
            id={ids.password}
            type="password"
            autoComplete={signUp ? "new-password" : "current-password"}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={signUp ? ids.help : undefined}
            className="mt-1.5 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/30 dark:border-slate-700 dark:bg-slate-950"
          />
          {signUp ? (
            <p id={ids.help} className="mt-1.5 text-xs text-slate-500 dark:text-slate-400">
              At least 10 characters. A few unrelated words make a strong one.
            </p>
          ) : null}
        </div>
        {error ? (
          <Alert>
            {error.message}{" "}
            {error.hint === "sign-in" ? (
              <Link href="/sign-in" className="font-medium underline">
                Sign in instead
              </Link>
            ) : null}
          </Alert>
        ) : null}
        <Button type="submit" className="w-full py-2.5" disabled={busy}>
          {busy ? <Spinner /> : null}
          {signUp ? "Create account" : "Sign in"}
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
        {signUp ? "Already have an account? " : "New to walletscan? "}
        <Link
          href={signUp ? "/sign-in" : "/sign-up"}
          className="font-medium text-brand-600 hover:underline dark:text-brand-400"
        >
          {signUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </Card>
  );
}
