"use client";

// THE LIST'S CONTROLS: the filter tabs (a labelled group of toggle buttons), the search box and
// the sort order. It only reports what the person picked; TaskList loads the matching tasks.
import { useId } from "react";

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
    <div className="toolbar">
      <div className="tabs-field">
        <span id={`${id}-show`} className="label">
          Show
        </span>
        <div role="group" aria-labelledby={`${id}-show`} className="tabs" data-testid="task-filter">
          {STATUSES.map((s) => (
            <button
              key={s.value}
              type="button"
              className="tab"
              aria-pressed={status === s.value}
              onClick={() => onStatus(s.value)}
            >
              {s.label}
            </button>
          ))}
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-search`}>Search tasks</label>
          <input
            id={`${id}-search`}
            type="search"
            value={search}
            onChange={(e) => onSearch(e.target.value)}
            maxLength={SEARCH_MAX}
            autoComplete="off"
            data-testid="task-search"
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-sort`}>Sort by</label>
          <select
            id={`${id}-sort`}
            value={sort}
            onChange={(e) => onSort(e.target.value as SortKey)}
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
