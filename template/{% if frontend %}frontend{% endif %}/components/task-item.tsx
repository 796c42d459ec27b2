"use client";

// ONE TASK in the list: its checkbox, title, description, priority and due date ("Overdue" in
// words, not only in colour), and its edit form (every field; a cleared field is sent as null).
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import { PRIORITIES, TaskFields, readTaskFields, type TaskFieldValues } from "@/components/task-fields";
import type { Task, TaskUpdate } from "@/lib/api";
import { formatDueDate, inputFromDueDate, isOverdue } from "@/lib/due-date";

type Props = {
  task: Task;
  onToggle: (task: Task) => Promise<void>;
  /** Sends the changes; true once saved. */
  onSave: (task: Task, changes: TaskUpdate) => Promise<boolean>;
  onDelete: (task: Task) => Promise<void>;
  /** Shows a message for the person (a field they must fix). */
  onInvalid: (message: string) => void;
};

/** Only what changed; an emptied description or due date becomes null (cleared). */
function changesOf(task: Task, values: TaskFieldValues): TaskUpdate {
  const changes: TaskUpdate = {};
  if (values.title !== task.title) changes.title = values.title;
  if (values.description !== (task.description ?? "")) changes.description = values.description || null;
  if (values.priority !== task.priority) changes.priority = values.priority;
  if (values.dueInput !== inputFromDueDate(task.due_date)) changes.due_date = values.dueDate;
  return changes;
}

export function TaskItem({ task, onToggle, onSave, onDelete, onInvalid }: Props) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);

  // Back from the edit form: the keyboard focus returns to this task's Edit button.
  useEffect(() => {
    if (!editing && refocus.current) {
      refocus.current = false;
      editButton.current?.focus();
    }
  }, [editing]);

  function stopEditing() {
    refocus.current = true;
    setEditing(false);
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    let changes: TaskUpdate;
    try {
      changes = changesOf(task, readTaskFields(event.currentTarget));
    } catch (e) {
      onInvalid(e instanceof Error ? e.message : String(e));
      return;
    }
    if (Object.keys(changes).length === 0) {
      stopEditing();
      return;
    }
    setBusy(true);
    const saved = await onSave(task, changes);
    setBusy(false);
    if (saved) stopEditing();
  }

  async function remove() {
    setBusy(true);
    await onDelete(task);
    setBusy(false);
  }

  function cancelOnEscape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      stopEditing();
    }
  }

  const overdue = isOverdue(task);
  const priority = PRIORITIES.find((p) => p.value === task.priority)?.label ?? task.priority;

  return (
    <li
      data-testid="task"
      data-completed={task.completed ? "true" : "false"}
      data-overdue={overdue ? "true" : "false"}
      className={overdue ? "task overdue" : "task"}
      aria-busy={busy}
    >
      {editing ? (
        <form className="edit stack" onSubmit={save} onKeyDown={cancelOnEscape} aria-label={`Edit ${task.title}`} noValidate>
          <TaskFields idPrefix={id} task={task} autoFocus />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Save
            </button>
            <button type="button" className="secondary" onClick={stopEditing}>
              Cancel
            </button>
          </div>
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
            <p className="meta">
              <span data-testid="task-priority" data-priority={task.priority} className={`badge priority-${task.priority}`}>
                {priority} priority
              </span>
              {task.due_date && (
                <span data-testid="task-due" className="due">
                  Due <time dateTime={task.due_date}>{formatDueDate(task.due_date)}</time>
                </span>
              )}
              {overdue && (
                <span data-testid="task-overdue" className="badge overdue-badge">
                  Overdue
                </span>
              )}
            </p>
          </div>
          <div className="actions">
            <button type="button" className="secondary" ref={editButton} onClick={() => setEditing(true)} disabled={busy}>
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
