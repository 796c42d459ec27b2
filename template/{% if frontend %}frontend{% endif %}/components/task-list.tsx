"use client";

// THE SIGNED-IN USER'S TASKS: add, filter (All / Pending / Completed), search, sort, complete,
// edit and delete, all through the FastAPI backend, which does the filtering, searching and
// sorting. After every change the list is loaded again, so it always shows what the backend says.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";

import { useApi } from "@/components/backend-provider";
import { TaskFields, readTaskFields } from "@/components/task-fields";
import { TaskItem } from "@/components/task-item";
import { TaskToolbar } from "@/components/task-toolbar";
import type { Task, TaskCreate, TaskUpdate } from "@/lib/api";
import { countText, isFiltered, matchesView, viewParams, type SortKey, type Status, type TaskView } from "@/lib/task-view";

/** How long typing must pause before the search is sent. */
const SEARCH_DELAY_MS = 300;

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

export function TaskList() {
  const api = useApi();
  const formId = useId();
  const [status, setStatus] = useState<Status>("all");
  const [sort, setSort] = useState<SortKey>("newest");
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), SEARCH_DELAY_MS);
  const view = useMemo<TaskView>(() => ({ status, sort, q }), [status, sort, q]);

  const [shown, setShown] = useState<Shown | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [adding, setAdding] = useState(false);

  // The view the latest load is for, and that load's number: an older answer is dropped.
  const currentView = useRef(view);
  const latestLoad = useRef(0);

  const reload = useCallback(async () => {
    const forView = currentView.current;
    const load = ++latestLoad.current;
    setLoading(true);
    try {
      const [page, overall] = await Promise.all([
        api.listTasks(viewParams(forView)),
        isFiltered(forView) ? api.countTasks() : null,
      ]);
      if (load !== latestLoad.current) return;
      setShown({ tasks: page.tasks, total: page.total, overall: overall ?? page.total, view: forView });
      setLoadError(null);
    } catch (e) {
      if (load === latestLoad.current) setLoadError(messageOf(e));
    } finally {
      if (load === latestLoad.current) setLoading(false);
    }
  }, [api]);

  useEffect(() => {
    currentView.current = view;
    void reload();
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
      setError(messageOf(e));
      return;
    }
    setError(null);
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
      setError(messageOf(e));
    } finally {
      setAdding(false);
    }
  }

  async function toggle(task: Task) {
    // Optimistic: the checkbox flips at once, the server's answer then wins (or we revert).
    replace({ ...task, completed: !task.completed });
    setError(null);
    try {
      replace(await api.setCompleted(task.id, !task.completed));
      void reload();
    } catch (e) {
      replace(task);
      setError(messageOf(e));
    }
  }

  async function save(task: Task, changes: TaskUpdate): Promise<boolean> {
    setError(null);
    try {
      const saved = await api.updateTask(task.id, changes);
      replace(saved);
      setAnnouncement(`Saved “${saved.title}”.`);
      void reload();
      return true;
    } catch (e) {
      setError(messageOf(e));
      return false;
    }
  }

  async function remove(task: Task) {
    setError(null);
    try {
      await api.deleteTask(task.id);
      setShown((s) => {
        if (!s) return s;
        const had = s.tasks.some((t) => t.id === task.id);
        return { ...s, tasks: s.tasks.filter((t) => t.id !== task.id), total: s.total - (had ? 1 : 0), overall: s.overall - 1 };
      });
      setAnnouncement(`Deleted “${task.title}”.`);
      void reload();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const filtered = shown ? isFiltered(shown.view) : false;
  let empty: string | null = null;
  if (shown && shown.tasks.length === 0) {
    if (shown.overall === 0) empty = "No tasks yet";
    else if (shown.view.q) empty = `No tasks match “${shown.view.q}”.`;
    else if (shown.view.status === "pending") empty = "No pending tasks.";
    else if (shown.view.status === "completed") empty = "No completed tasks.";
  }

  return (
    <>
      <form className="card stack" onSubmit={add} aria-busy={adding} aria-label="New task" noValidate>
        <TaskFields idPrefix={formId} />
        <button type="submit" disabled={adding}>
          Add task
        </button>
      </form>

      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}

      <TaskToolbar
        status={status}
        sort={sort}
        search={search}
        onStatus={setStatus}
        onSort={setSort}
        onSearch={setSearch}
      />

      {loadError && (
        <p role="alert" className="error">
          {loadError}
        </p>
      )}

      <p className="count" data-testid="task-count" aria-live="polite">
        {shown ? countText(shown.total, shown.overall, filtered) : ""}
      </p>
      <p role="status" className="visually-hidden">
        {announcement}
      </p>

      {shown === null
        ? !loadError && (
            <p className="muted" aria-busy="true">
              Loading tasks…
            </p>
          )
        : empty && <p className="muted">{empty}</p>}

      <ul
        aria-label="Tasks"
        className="tasks"
        aria-busy={loading}
        data-testid="task-list"
        data-state={loading ? "loading" : "ready"}
      >
        {shown?.tasks.map((task) => (
          <TaskItem
            key={task.id}
            task={task}
            onToggle={toggle}
            onSave={save}
            onDelete={remove}
            onInvalid={setError}
          />
        ))}
      </ul>
    </>
  );
}
