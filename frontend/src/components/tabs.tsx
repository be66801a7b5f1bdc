"use client";

import { useId, useRef, useState } from "react";
import { cx } from "./ui";

export interface Tab {
  id: string;
  label: string;
  count?: number | null;
  content: React.ReactNode;
}

/** WAI-ARIA tabs: arrow keys move between tabs, Home/End jump, Tab goes into the panel. */
export function Tabs({ tabs, label }: { tabs: Tab[]; label: string }) {
  const [selected, setSelected] = useState(tabs[0]?.id ?? "");
  const base = useId();
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});

  function move(event: React.KeyboardEvent, index: number) {
    const last = tabs.length - 1;
    const next =
      event.key === "ArrowRight" ? (index === last ? 0 : index + 1)
      : event.key === "ArrowLeft" ? (index === 0 ? last : index - 1)
      : event.key === "Home" ? 0
      : event.key === "End" ? last
      : null;
    if (next === null) return;
    event.preventDefault();
    const tab = tabs[next];
    if (!tab) return;
    setSelected(tab.id);
    refs.current[tab.id]?.focus();
  }

  return (
    <div>
      <div role="tablist" aria-label={label} className="flex gap-1 overflow-x-auto border-b border-slate-200 px-2 sm:px-3 dark:border-slate-800">
        {tabs.map((tab, i) => {
          const active = tab.id === selected;
          return (
            <button
              key={tab.id}
              ref={(el) => {
                refs.current[tab.id] = el;
              }}
              type="button"
              role="tab"
              id={`${base}-tab-${tab.id}`}
              aria-selected={active}
              aria-controls={`${base}-panel-${tab.id}`}
              tabIndex={active ? 0 : -1}
              onClick={() => setSelected(tab.id)}
              onKeyDown={(e) => move(e, i)}
              className={cx(
                "-mb-px flex items-center gap-2 whitespace-nowrap border-b-2 px-3 py-3 text-sm font-medium",
                active
                  ? "border-brand-600 text-slate-900 dark:border-brand-400 dark:text-white"
                  : "border-transparent text-slate-500 hover:border-slate-300 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200",
              )}
            >
              {tab.label}
              {tab.count !== undefined && tab.count !== null ? (
                <span className={cx("num rounded-full px-1.5 py-0.5 text-xs", active ? "bg-brand-50 text-brand-700 dark:bg-brand-500/20 dark:text-brand-300" : "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-400")}>
                  {tab.count.toLocaleString("en")}
                </span>
              ) : null}
            </button>
          );
        })}
      </div>
      {tabs.map((tab) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`${base}-panel-${tab.id}`}
          aria-labelledby={`${base}-tab-${tab.id}`}
          hidden={tab.id !== selected}
          tabIndex={0}
          className="focus-visible:outline-offset-[-2px]"
        >
          {tab.id === selected ? tab.content : null}
        </div>
      ))}
    </div>
  );
}
