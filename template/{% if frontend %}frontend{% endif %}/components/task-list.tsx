"use client";

import { useCallback, useEffect, useId, useState, type FormEvent } from "react";

import { useApi } from "@/components/backend-provider";
import type { Task } from "@/lib/api";

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong. Please try again.";
}

/** The signed-in user's tasks: add, complete, rename, delete (all through the FastAPI backend). */
export function TaskList() {
  const api = useApi();
  const formId = useId();
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);

  const load = useCallback(async () => {
    setError(null);
    try {
      const loaded = await api.listTasks();
      // A task created while this load was in flight may be missing from it: keep it.
      setTasks((list) => {
        const ids = new Set(loaded.map((t) => t.id));
        return [...loaded, ...(list ?? []).filter((t) => !ids.has(t.id))];
      });
    } catch (e) {
      setError(messageOf(e));
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  const replace = (task: Task) => setTasks((list) => list?.map((t) => (t.id === task.id ? task : t)) ?? null);

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const title = String(data.get("title") ?? "").trim();
    const description = String(data.get("description") ?? "");
    if (!title) {
      setError("Please enter a title.");
      return;
    }
    setError(null);
    setAdding(true);
    try {
      const task = await api.createTask({ title, description });
      // The first list load may still be in flight and already hold this task: add it once.
      setTasks((list) => [...(list ?? []).filter((t) => t.id !== task.id), task]);
      form.reset();
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
      replace(await api.toggleTask(task.id));
    } catch (e) {
      replace(task);
      setError(messageOf(e));
    }
  }

  async function rename(task: Task, title: string): Promise<boolean> {
    setError(null);
    try {
      replace(await api.updateTask(task.id, { title }));
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
      setTasks((list) => list?.filter((t) => t.id !== task.id) ?? null);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  return (
    <>
      <form className="card stack" onSubmit={add} aria-busy={adding} noValidate>
        <div className="field">
          <label htmlFor={`${formId}-title`}>Title</label>
          <input id={`${formId}-title`} name="title" type="text" required maxLength={200} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${formId}-description`}>Description</label>
          <textarea id={`${formId}-description`} name="description" rows={2} maxLength={2000} />
        </div>
        <button type="submit" disabled={adding}>
          Add task
        </button>
      </form>

      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}

      {tasks === null ? (
        !error && (
          <p className="muted" aria-busy="true">
            Loading tasks…
          </p>
        )
      ) : tasks.length === 0 ? (
        <p className="muted">No tasks yet</p>
      ) : null}

      <ul aria-label="Tasks" className="tasks" aria-busy={tasks === null}>
        {tasks?.map((task) => (
          <TaskItem key={task.id} task={task} onToggle={toggle} onRename={rename} onDelete={remove} />
        ))}
      </ul>
    </>
  );
}

type ItemProps = {
  task: Task;
  onToggle: (task: Task) => Promise<void>;
  onRename: (task: Task, title: string) => Promise<boolean>;
  onDelete: (task: Task) => Promise<void>;
};

function TaskItem({ task, onToggle, onRename, onDelete }: ItemProps) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(task.title);
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = draft.trim();
    if (!title || title === task.title) {
      setEditing(false);
      return;
    }
    setBusy(true);
    if (await onRename(task, title)) setEditing(false);
    setBusy(false);
  }

  async function remove() {
    setBusy(true);
    await onDelete(task);
    setBusy(false);
  }

  return (
    <li data-testid="task" data-completed={task.completed ? "true" : "false"} className="task" aria-busy={busy}>
      {editing ? (
        <form className="edit" onSubmit={save}>
          <label htmlFor={`${id}-edit`} className="visually-hidden">
            Edit title
          </label>
          <input
            id={`${id}-edit`}
            type="text"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            maxLength={200}
            required
            autoFocus
          />
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setDraft(task.title);
              setEditing(false);
            }}
          >
            Cancel
          </button>
        </form>
      ) : (
        <>
          <input
            type="checkbox"
            checked={task.completed}
            onChange={() => void onToggle(task)}
            aria-label={`Complete ${task.title}`}
          />
          <div className="task-text">
            <span data-testid="task-title" className={task.completed ? "title done" : "title"}>
              {task.title}
            </span>
            {task.description && <p className="description">{task.description}</p>}
          </div>
          <div className="actions">
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setDraft(task.title);
                setEditing(true);
              }}
              disabled={busy}
            >
              Edit
            </button>
            <button type="button" className="danger" onClick={remove} disabled={busy}>
              Delete
            </button>
          </div>
        </>
      )}
    </li>
  );
}
