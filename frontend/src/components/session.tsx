"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { api, ApiError } from "@/lib/api";
import { Logo } from "./logo";
import { ThemeToggle } from "./theme";
import { Button, Skeleton, Spinner } from "./ui";

export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: api.me, staleTime: 60_000 });
}

/** Pages behind sign-in: an unknown session goes to /sign-in and comes back afterwards. */
export function SessionGate({ children }: { children: React.ReactNode }) {
  const me = useMe();
  const router = useRouter();
  const pathname = usePathname();
  const signedOut = me.error instanceof ApiError && me.error.status === 401;

  useEffect(() => {
    if (signedOut) router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
  }, [signedOut, pathname, router]);

  return (
    <div className="flex min-h-dvh flex-col">
      <AppHeader email={me.data?.email ?? null} />
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 pb-16 pt-6 sm:px-6">
        {me.data ? (
          children
        ) : me.isError && !signedOut ? (
          <div role="alert" className="py-24 text-center text-sm text-slate-500">
            walletscan is unavailable right now.{" "}
            <button type="button" className="font-medium text-brand-600 underline" onClick={() => me.refetch()}>
              Try again
            </button>
          </div>
        ) : (
          <div className="space-y-4 py-2" aria-busy="true" aria-label="Loading">
            <Skeleton className="h-40 w-full" />
            <Skeleton className="h-64 w-full" />
          </div>
        )}
      </main>
    </div>
  );
}

function AppHeader({ email }: { email: string | null }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [leaving, setLeaving] = useState(false);

  async function signOut() {
    setLeaving(true);
    try {
      await api.logout();
    } catch {
      // The cookies are cleared by the answer; a failed call still ends the session here.
    }
    queryClient.clear();
    router.replace("/sign-in");
  }

  return (
    <header className="sticky top-0 z-20 border-b border-slate-200/80 bg-white/85 backdrop-blur dark:border-slate-800 dark:bg-slate-950/80">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:rounded focus:bg-white focus:px-3 focus:py-1.5 focus:text-sm focus:shadow dark:focus:bg-slate-900">
        Skip to content
      </a>
      <div className="mx-auto flex h-14 w-full max-w-6xl items-center justify-between gap-3 px-4 sm:px-6">
        <Logo />
        <div className="flex min-w-0 items-center gap-1 sm:gap-2">
          {email ? (
            <span className="hidden max-w-[16rem] truncate text-sm text-slate-500 sm:inline dark:text-slate-400" title={email}>
              {email}
            </span>
          ) : null}
          <ThemeToggle />
          {email ? (
            <Button variant="ghost" onClick={signOut} disabled={leaving}>
              {leaving ? <Spinner /> : null}
              Sign out
            </Button>
          ) : null}
        </div>
      </div>
    </header>
  );
}
