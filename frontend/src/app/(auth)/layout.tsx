import { Logo } from "@/components/logo";
import { ThemeToggle } from "@/components/theme";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="mx-auto flex w-full max-w-6xl items-center justify-between px-4 py-4 sm:px-6">
        <Logo href="/sign-in" />
        <ThemeToggle />
      </header>
      <main className="flex flex-1 items-start justify-center px-4 pb-16 pt-6 sm:pt-16">{children}</main>
      <footer className="px-4 pb-6 text-center text-xs text-slate-500 dark:text-slate-500">
        Watch-only: walletscan reads public keys and addresses. It never asks for a private key or a seed phrase.
      </footer>
    </div>
  );
}
