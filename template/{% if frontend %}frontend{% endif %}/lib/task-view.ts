// WHAT THE TASK LIST SHOWS: the filter tabs, the sort choices and the search, as the backend's
// list parameters, and the words for the count ("3 tasks", "2 of 7 tasks").
import type { Task, TaskListParams } from "./api";

export const STATUSES = [
  { value: "all", label: "All" },
  { value: "pending", label: "Pending" },
  { value: "completed", label: "Completed" },
] as const;
export type Status = (typeof STATUSES)[number]["value"];

export const SORTS = [
  { value: "newest", label: "Newest first", sort: "created", order: "desc" },
  { value: "oldest", label: "Oldest first", sort: "created", order: "asc" },
  { value: "title", label: "Title A–Z", sort: "title", order: "asc" },
  { value: "due", label: "Due date", sort: "due_date", order: "asc" },
  { value: "priority", label: "Priority (high first)", sort: "priority", order: "desc" },
  { value: "updated", label: "Recently updated", sort: "updated", order: "desc" },
] as const satisfies readonly { value: string; label: string; sort: TaskListParams["sort"]; order: "asc" | "desc" }[];
export type SortKey = (typeof SORTS)[number]["value"];

/** The backend's search limit (characters). */
export const SEARCH_MAX = 200;

export type TaskView = { status: Status; sort: SortKey; q: string };

export const DEFAULT_VIEW: TaskView = { status: "all", sort: "newest", q: "" };

export function viewParams(view: TaskView): TaskListParams {
  const { sort, order } = SORTS.find((s) => s.value === view.sort) ?? SORTS[0];
  return { status: view.status, sort, order, q: view.q || undefined };
}

/** Does the view hide some tasks (so the count says "n of m")? */
export function isFiltered(view: TaskView): boolean {
  return view.status !== "all" || view.q !== "";
}

/** The backend's search rule: A-Z match a-z, every other character only itself. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Would the backend list this task in this view? (To show a new task at once.) */
export function matchesView(task: Task, view: TaskView): boolean {
  if (view.status === "pending" && task.completed) return false;
  if (view.status === "completed" && !task.completed) return false;
  if (!view.q) return true;
  const needle = asciiLower(view.q);
  return asciiLower(task.title).includes(needle) || asciiLower(task.description ?? "").includes(needle);
}

/** "1 task", "3 tasks", or with a filter "2 of 7 tasks". */
export function countText(shown: number, overall: number, filtered: boolean): string {
  const noun = (filtered ? overall : shown) === 1 ? "task" : "tasks";
  return filtered ? `${shown} of ${overall} ${noun}` : `${shown} ${noun}`;
}

type Query = Record<string, string | string[] | undefined>;

/** The view a page address asks for (/tasks?status=pending&sort=due&q=milk); unknown values are ignored. */
export function viewFromQuery(query: Query): TaskView {
  const one = (name: string) => {
    const value = query[name];
    return typeof value === "string" ? value : "";
  };
  const status = STATUSES.find((s) => s.value === one("status"))?.value ?? DEFAULT_VIEW.status;
  const sort = SORTS.find((s) => s.value === one("sort"))?.value ?? DEFAULT_VIEW.sort;
  return { status, sort, q: one("q").trim().slice(0, SEARCH_MAX) };
}

/** The page address of a view ("/tasks" for the default one), so a reload or sign-in returns to it. */
export function viewPath(view: TaskView): string {
  const query = new URLSearchParams();
  if (view.status !== DEFAULT_VIEW.status) query.set("status", view.status);
  if (view.sort !== DEFAULT_VIEW.sort) query.set("sort", view.sort);
  if (view.q) query.set("q", view.q);
  const text = query.toString();
  return text ? `/tasks?${text}` : "/tasks";
}
