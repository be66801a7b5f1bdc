import Link from "next/link";

export function Logo({ href = "/" }: { href?: string }) {
  return (
    <Link href={href} className="inline-flex items-center gap-2 rounded-md font-semibold tracking-tight text-slate-900 dark:text-white">
      <svg viewBox="0 0 32 32" width={28} height={28} aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-brand-600 dark:fill-brand-500" />
        <path d="M8 11l3.5 11L16 13l4.5 9L24 11" fill="none" stroke="#fff" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <span className="text-[1.05rem]">walletscan</span>
    </Link>
  );
}
