import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 text-center">
      <p className="text-sm font-medium text-brand-600 dark:text-brand-400">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">This page does not exist</h1>
      <Link href="/" className="mt-6 text-sm font-medium text-brand-600 hover:underline dark:text-brand-400">
        Go to the dashboard
      </Link>
    </main>
  );
}
