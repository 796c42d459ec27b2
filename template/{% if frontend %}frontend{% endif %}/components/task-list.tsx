"use client";

// THE SIGNED-IN USER'S TASKS: add, filter (All / Pending / Completed), search, sort, complete,
// edit and delete, all through the FastAPI backend, which does the filtering, searching and
// sorting. After every change the list is loaded again, so it always shows what the backend says.
// - A failed request says why, with a Retry button; the forms keep what was typed.
// - Delete takes the task off the list at once and shows "Undo" for UNDO_SECONDS; only then is
//   the DELETE sent (on sign-out or when the page is closed, at once). Undo therefore brings back
//   the very same task (id, dates, every field): nothing had happened to it on the server.
// - The view (tab, sort, search) is in the page address, so a reload or a sign-in returns to it.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";

import { useApi } from "@/components/backend-provider";
import { TaskFieldError, TaskFields, focusField, readTaskFields, type TaskFieldErrors } from "@/components/task-fields";
import { TaskItem } from "@/components/task-item";
import { TaskToolbar } from "@/components/task-toolbar";
import { Button, ErrorNotice, Spinner, cx, ui } from "@/components/ui";
import { ApiError, type Task, type TaskCreate, type TaskUpdate } from "@/lib/api";
import { beforeSignOut } from "@/lib/before-sign-out";
import { countText, isFiltered, matchesView, viewParams, viewPath, type SortKey, type Status, type TaskView } from "@/lib/task-view";

/** How long typing must pause before the search is sent. */
const SEARCH_DELAY_MS = 300;
/** How long a deleted task can be brought back. The toast's bar runs out in the same time
 * (--animate-run-out in app/globals.css). */
export const UNDO_SECONDS = 5;

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong. Please try again.";
}

/** `value`, once it has stopped changing for `delay` ms. */
function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/** What is on screen: the tasks of the view, how many match it, how many the user has. */
type Shown = { tasks: Task[]; total: number; overall: number; view: TaskView };

/** A failed action, and how to try it again. */
type Problem = { message: string; retry: () => Promise<void> };

/** A deleted task: hidden, waiting for its Undo (then "deleting": the DELETE is on its way). */
type PendingDelete = { task: Task; state: "waiting" | "deleting"; timer?: ReturnType<typeof setTimeout> };

export function TaskList({ initialView }: { initialView: TaskView }) {
  const api = useApi();
  const formId = useId();
  const addForm = useRef<HTMLFormElement>(null);
  const [status, setStatus] = useState<Status>(initialView.status);
  const [sort, setSort] = useState<SortKey>(initialView.sort);
  const [search, setSearch] = useState(initialView.q);
  const q = useDebounced(search.trim(), SEARCH_DELAY_MS);
  const view = useMemo<TaskView>(() => ({ status, sort, q }), [status, sort, q]);

  const [shown, setShown] = useState<Shown | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadProblem, setLoadProblem] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [retrying, setRetrying] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const [adding, setAdding] = useState(false);
  const [addErrors, setAddErrors] = useState<TaskFieldErrors>({});
  const [addProblem, setAddProblem] = useState<string | null>(null);
  const pendingDeletes = useRef(new Map<number, PendingDelete>());
  const [pending, setPending] = useState<PendingDelete[]>([]);

  // The view the latest load is for, and that load's number: an older answer is dropped.
  const currentView = useRef(view);
  const latestLoad = useRef(0);
  // Ticks shown before the server has them. A list answered meanwhile may predate one and would
  // take it back on screen: it is dropped, and the list loaded again once they have settled.
  const ticksUnderWay = useRef(0);
  const droppedLoad = useRef(false);

  const reload = useCallback(async () => {
    const forView = currentView.current;
    const load = ++latestLoad.current;
    let dropped = false;
    setLoading(true);
    try {
      const [page, overall] = await Promise.all([
        api.listTasks(viewParams(forView)),
        isFiltered(forView) ? api.countTasks() : null,
      ]);
      if (load !== latestLoad.current) return;
      if (ticksUnderWay.current > 0) {
        dropped = droppedLoad.current = true; // still loading: the tick's settling loads again
        return;
      }
      setShown({ tasks: page.tasks, total: page.total, overall: overall ?? page.total, view: forView });
      setLoadProblem(null);
    } catch (e) {
      if (load === latestLoad.current) setLoadProblem(messageOf(e));
    } finally {
      if (load === latestLoad.current && !dropped) setLoading(false);
    }
  }, [api]);

  useEffect(() => {
    currentView.current = view;
    void reload();
    // The address says which view this is (replaceState: no new history entry, no reload).
    const path = viewPath(view);
    if (window.location.pathname + window.location.search !== path) window.history.replaceState(null, "", path);
  }, [view, reload]);

  const replace = (task: Task) =>
    setShown((s) => s && { ...s, tasks: s.tasks.map((t) => (t.id === task.id ? task : t)) });

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    let input: TaskCreate;
    try {
      const values = readTaskFields(form);
      input = { title: values.title, priority: values.priority };
      if (values.description) input.description = values.description;
      if (values.dueDate) input.due_date = values.dueDate;
    } catch (e) {
      if (!(e instanceof TaskFieldError)) throw e;
      setAddErrors({ [e.field]: e.message });
      focusField(form, e);
      return;
    }
    setAddErrors({});
    setAddProblem(null);
    setAdding(true);
    try {
      const task = await api.createTask(input);
      // Shown at once when it belongs in this view; the reload then puts it in its place.
      setShown((s) => {
        if (!s) return s;
        const fits = matchesView(task, s.view);
        return {
          ...s,
          tasks: fits ? [task, ...s.tasks.filter((t) => t.id !== task.id)] : s.tasks,
          total: s.total + (fits ? 1 : 0),
          overall: s.overall + 1,
        };
      });
      setAnnouncement(`Added “${task.title}”.`);
      form.reset();
      void reload();
    } catch (e) {
      setAddProblem(messageOf(e)); // the form keeps what was typed: Retry sends it again
    } finally {
      setAdding(false);
    }
  }

  async function toggle(task: Task) {
    // Optimistic: the checkbox flips at once, the server's answer then wins (or we revert).
    replace({ ...task, completed: !task.completed });
    setProblem(null);
    ticksUnderWay.current += 1;
    let saved = false;
    try {
      replace(await api.setCompleted(task.id, !task.completed));
      saved = true;
    } catch (e) {
      replace(task);
      setProblem({ message: messageOf(e), retry: () => toggle(task) });
    } finally {
      ticksUnderWay.current -= 1;
      if (ticksUnderWay.current === 0 && (saved || droppedLoad.current)) {
        droppedLoad.current = false;
        void reload();
      }
    }
  }

  /** Throws (TaskItem shows the message and keeps the edit form open). */
  async function save(task: Task, changes: TaskUpdate): Promise<void> {
    const saved = await api.updateTask(task.id, changes);
    replace(saved);
    setAnnouncement(`Saved “${saved.title}”.`);
    void reload();
  }

  const showPending = () => setPending([...pendingDeletes.current.values()]);

  /** Send the DELETE of a task taken off the list. */
  const commitDelete = useCallback(
    async (task: Task, options: { keepalive?: boolean } = {}): Promise<void> => {
      const entry = pendingDeletes.current.get(task.id);
      if (entry?.state === "deleting") return;
      clearTimeout(entry?.timer);
      pendingDeletes.current.set(task.id, { task, state: "deleting" });
      showPending();
      try {
        await api.deleteTask(task.id, options);
      } catch (e) {
        // 404: already gone, which is what was asked. Anything else: it is still there.
        if (!(e instanceof ApiError && e.status === 404)) {
          pendingDeletes.current.delete(task.id);
          showPending();
          setProblem({ message: `“${task.title}” was not deleted. ${messageOf(e)}`, retry: () => commitDelete(task) });
          return;
        }
      }
      pendingDeletes.current.delete(task.id);
      setShown((s) => {
        if (!s) return s;
        const had = s.tasks.some((t) => t.id === task.id);
        return { ...s, tasks: s.tasks.filter((t) => t.id !== task.id), total: s.total - (had ? 1 : 0), overall: s.overall - 1 };
      });
      showPending();
      void reload();
    },
    [api, reload],
  );

  function remove(task: Task) {
    setProblem(null);
    const timer = setTimeout(() => void commitDelete(task), UNDO_SECONDS * 1000);
    pendingDeletes.current.set(task.id, { task, state: "waiting", timer });
    showPending();
    setAnnouncement(`Deleted “${task.title}”. Undo is possible for ${UNDO_SECONDS} seconds.`);
  }

  function undo(task: Task) {
    const entry = pendingDeletes.current.get(task.id);
    if (entry?.state !== "waiting") return;
    clearTimeout(entry.timer);
    pendingDeletes.current.delete(task.id);
    showPending();
    setAnnouncement(`Restored “${task.title}”.`);
  }

  // Deletes still waiting for their Undo are sent before sign-out, and when the page is left
  // (keepalive: the request outlives the page).
  useEffect(() => {
    const flush = (keepalive: boolean) =>
      Promise.all(
        [...pendingDeletes.current.values()]
          .filter((entry) => entry.state === "waiting")
          .map((entry) => commitDelete(entry.task, { keepalive })),
      ).then(() => undefined);
    const unregister = beforeSignOut(() => flush(false));
    const onPageHide = () => void flush(true);
    window.addEventListener("pagehide", onPageHide);
    return () => {
      unregister();
      window.removeEventListener("pagehide", onPageHide);
    };
  }, [commitDelete]);

  async function retryProblem() {
    if (!problem) return;
    setRetrying(true);
    try {
      await problem.retry();
    } finally {
      setRetrying(false);
    }
  }

  // What is on screen leaves out the tasks being deleted.
  const hidden = new Set(pending.map((entry) => entry.task.id));
  const tasks = shown ? shown.tasks.filter((t) => !hidden.has(t.id)) : [];
  const total = shown ? shown.total - (shown.tasks.length - tasks.length) : 0;
  const overall = shown ? Math.max(0, shown.overall - pending.length) : 0;
  const filtered = shown ? isFiltered(shown.view) : false;
  let empty: string | null = null;
  if (shown && tasks.length === 0) {
    if (overall === 0) empty = "No tasks yet";
    else if (shown.view.q) empty = `No tasks match “${shown.view.q}”.`;
    else if (shown.view.status === "pending") empty = "No pending tasks.";
    else if (shown.view.status === "completed") empty = "No completed tasks.";
  }
  const waiting = pending.filter((entry) => entry.state === "waiting");

  return (
    <>
      <form
        ref={addForm}
        className={cx(ui.card, ui.stack)}
        onSubmit={add}
        aria-busy={adding}
        aria-label="New task"
        noValidate
      >
        <TaskFields idPrefix={formId} errors={addErrors} />
        {addProblem && (
          <ErrorNotice onRetry={() => addForm.current?.requestSubmit()} retrying={adding}>
            {addProblem}
          </ErrorNotice>
        )}
        <Button type="submit" busy={adding} busyLabel="Adding…" className="self-start">
          Add task
        </Button>
      </form>

      {problem && (
        <ErrorNotice className="mt-4" onRetry={() => void retryProblem()} retrying={retrying}>
          {problem.message}
        </ErrorNotice>
      )}

      <TaskToolbar
        status={status}
        sort={sort}
        search={search}
        onStatus={setStatus}
        onSort={setSort}
        onSearch={setSearch}
      />

      {loadProblem && (
        <ErrorNotice className="mt-4" onRetry={() => void reload()} retrying={loading}>
          {loadProblem}
        </ErrorNotice>
      )}

      <p className={cx(ui.muted, "mt-5 text-sm")} data-testid="task-count" aria-live="polite">
        {shown ? countText(total, overall, filtered) : ""}
      </p>
      <p role="status" className="sr-only">
        {announcement}
      </p>

      {shown === null
        ? !loadProblem && (
            <p className={cx(ui.muted, "my-5 flex items-center justify-center gap-2")} aria-busy="true">
              <Spinner />
              Loading tasks…
            </p>
          )
        : empty && (
            <div
              data-testid="empty"
              className="mt-4 rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center dark:border-slate-600"
            >
              <p className="font-semibold">{empty}</p>
              {overall === 0 && <p className={cx(ui.muted, "mt-1 text-sm")}>Add your first one with the form above.</p>}
            </div>
          )}

      <ul
        aria-label="Tasks"
        className="mt-4 flex flex-col gap-2"
        aria-busy={loading}
        data-testid="task-list"
        data-state={loading ? "loading" : "ready"}
      >
        {tasks.map((task) => (
          <TaskItem key={task.id} task={task} onToggle={toggle} onSave={save} onDelete={remove} />
        ))}
      </ul>

      {/* Undo, for each task just deleted (bottom of the screen, above everything). */}
      <div className="pointer-events-none fixed inset-x-0 bottom-0 z-10 flex flex-col items-center gap-2 p-4">
        {waiting.map(({ task }) => (
          <div
            key={task.id}
            data-testid="undo-toast"
            className={cx(
              "pointer-events-auto relative flex w-full max-w-md items-center gap-3 overflow-hidden rounded-lg px-4 py-3 shadow-lg",
              "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900",
            )}
          >
            <p className="min-w-0 flex-1 truncate">Deleted “{task.title}”</p>
            <button
              type="button"
              onClick={() => undo(task)}
              className={cx(
                "shrink-0 cursor-pointer rounded-md px-3 py-1 font-semibold text-blue-300 hover:bg-white/10",
                "outline-offset-2 focus-visible:outline-2 focus-visible:outline-blue-300",
                "dark:text-blue-800 dark:hover:bg-slate-900/10 dark:focus-visible:outline-blue-800",
              )}
            >
              Undo
            </button>
            <span aria-hidden="true" className="absolute inset-x-0 bottom-0 h-1 origin-left animate-run-out bg-blue-400 dark:bg-blue-600" />
          </div>
        ))}
      </div>
    </>
  );
}
