"use client";

// THE LIST'S CONTROLS: the filter tabs (a labelled group of toggle buttons), the search box and
// the sort order. It only reports what the person picked; TaskList loads the matching tasks.
import { useId } from "react";

import { cx, ui } from "@/components/ui";
import { SEARCH_MAX, SORTS, STATUSES, type SortKey, type Status } from "@/lib/task-view";

type Props = {
  status: Status;
  sort: SortKey;
  search: string;
  onStatus: (status: Status) => void;
  onSort: (sort: SortKey) => void;
  onSearch: (text: string) => void;
};

export function TaskToolbar({ status, sort, search, onStatus, onSort, onSearch }: Props) {
  const id = useId();
  return (
    <div className="mt-6 flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <span id={`${id}-show`} className={ui.label}>
          Show
        </span>
        <div role="group" aria-labelledby={`${id}-show`} className="flex flex-wrap gap-1.5" data-testid="task-filter">
          {STATUSES.map((s) => (
            <button
              key={s.value}
              type="button"
              className={cx(
                "min-h-9 cursor-pointer rounded-md border px-3.5 py-1 text-sm font-semibold outline-offset-2",
                "focus-visible:outline-2 focus-visible:outline-blue-600 dark:focus-visible:outline-blue-400",
                status === s.value
                  ? "border-blue-700 bg-blue-700 text-white dark:border-blue-500 dark:bg-blue-500 dark:text-slate-950"
                  : "border-slate-300 bg-white text-slate-900 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800",
              )}
              aria-pressed={status === s.value}
              onClick={() => onStatus(s.value)}
            >
              {s.label}
            </button>
          ))}
        </div>
      </div>
      <div className={ui.fieldRow}>
        <div className={ui.field}>
          <label htmlFor={`${id}-search`} className={ui.label}>
            Search tasks
          </label>
          <input
            id={`${id}-search`}
            type="search"
            value={search}
            onChange={(e) => onSearch(e.target.value)}
            maxLength={SEARCH_MAX}
            autoComplete="off"
            className={ui.input}
            data-testid="task-search"
          />
        </div>
        <div className={ui.field}>
          <label htmlFor={`${id}-sort`} className={ui.label}>
            Sort by
          </label>
          <select
            id={`${id}-sort`}
            value={sort}
            onChange={(e) => onSort(e.target.value as SortKey)}
            className={ui.input}
            data-testid="task-sort"
          >
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}
