"use client";

// ONE TASK in the list: its checkbox, title, description, priority and due date ("Overdue" in
// words, not only in colour), and its edit form (every field; a cleared field is sent as null).
// When saving fails the form stays open with what was typed, says why, and offers Retry.
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import {
  PRIORITIES,
  TaskFieldError,
  TaskFields,
  focusField,
  readTaskFields,
  type TaskFieldErrors,
  type TaskFieldValues,
} from "@/components/task-fields";
import { Button, ErrorNotice, cx, ui } from "@/components/ui";
import type { Task, TaskUpdate } from "@/lib/api";
import { formatDueDate, inputFromDueDate, isOverdue } from "@/lib/due-date";

type Props = {
  task: Task;
  onToggle: (task: Task) => Promise<void>;
  /** Sends the changes; throws an Error worded for the person when that fails. */
  onSave: (task: Task, changes: TaskUpdate) => Promise<void>;
  /** Takes the task off the list (with a few seconds to undo: TaskList). */
  onDelete: (task: Task) => void;
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

const BADGE = "inline-block rounded-full border px-2 font-semibold whitespace-nowrap";
const PRIORITY_BADGE: Record<Task["priority"], string> = {
  high: "border-red-200 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200",
  medium: "border-slate-300 bg-white text-slate-700 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-300",
  low: "border-green-200 bg-green-50 text-green-800 dark:border-green-800 dark:bg-green-950 dark:text-green-200",
};

export function TaskItem({ task, onToggle, onSave, onDelete }: Props) {
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<TaskFieldErrors>({});
  const [problem, setProblem] = useState<string | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const form = useRef<HTMLFormElement>(null);
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
    setFieldErrors({});
    setProblem(null);
    setEditing(false);
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    let changes: TaskUpdate;
    try {
      changes = changesOf(task, readTaskFields(target));
    } catch (e) {
      if (!(e instanceof TaskFieldError)) throw e;
      setFieldErrors({ [e.field]: e.message });
      focusField(target, e);
      return;
    }
    setFieldErrors({});
    if (Object.keys(changes).length === 0) {
      stopEditing();
      return;
    }
    setSaving(true);
    setProblem(null);
    try {
      await onSave(task, changes);
      setSaving(false);
      stopEditing();
    } catch (e) {
      setSaving(false);
      setProblem(e instanceof Error ? e.message : String(e));
    }
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
      data-task-id={task.id}
      data-completed={task.completed ? "true" : "false"}
      data-overdue={overdue ? "true" : "false"}
      className={cx(
        "flex flex-wrap items-start gap-x-3 gap-y-2 rounded-lg border border-slate-200 bg-white px-4 py-3",
        "dark:border-slate-700 dark:bg-slate-900",
        overdue && "border-l-4 border-l-red-700 dark:border-l-red-400",
      )}
      aria-busy={saving}
    >
      {editing ? (
        <form
          ref={form}
          className={cx(ui.stack, "min-w-0 flex-[1_1_100%]")}
          onSubmit={save}
          onKeyDown={cancelOnEscape}
          aria-label={`Edit ${task.title}`}
          noValidate
        >
          <TaskFields idPrefix={id} task={task} autoFocus errors={fieldErrors} />
          {problem && (
            <ErrorNotice onRetry={() => form.current?.requestSubmit()} retrying={saving}>
              {problem}
            </ErrorNotice>
          )}
          <div className="flex flex-wrap gap-2">
            <Button type="submit" size="small" busy={saving} busyLabel="Saving…">
              Save
            </Button>
            <Button variant="secondary" size="small" onClick={stopEditing}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <>
          <input
            type="checkbox"
            checked={task.completed}
            onChange={() => void onToggle(task)}
            aria-label={`Complete ${task.title}`}
            className="mt-1 size-[1.15rem] shrink-0 accent-blue-700 dark:accent-blue-400"
          />
          <div className="min-w-0 flex-[1_1_12rem] [overflow-wrap:anywhere]">
            <span
              data-testid="task-title"
              className={task.completed ? "text-slate-600 line-through dark:text-slate-400" : undefined}
            >
              {task.title}
            </span>
            {task.description && (
              <p className="mt-0.5 text-sm whitespace-pre-wrap text-slate-600 dark:text-slate-400">{task.description}</p>
            )}
            <p className="mt-1.5 flex flex-wrap items-center gap-x-2.5 gap-y-1 text-sm text-slate-600 dark:text-slate-400">
              <span data-testid="task-priority" data-priority={task.priority} className={cx(BADGE, PRIORITY_BADGE[task.priority])}>
                {priority} priority
              </span>
              {task.due_date && (
                <span data-testid="task-due">
                  Due <time dateTime={task.due_date}>{formatDueDate(task.due_date)}</time>
                </span>
              )}
              {overdue && (
                <span
                  data-testid="task-overdue"
                  className={cx(BADGE, "border-red-700 bg-red-700 text-white dark:border-red-400 dark:bg-red-400 dark:text-slate-950")}
                >
                  Overdue
                </span>
              )}
            </p>
          </div>
          <div className="ml-auto flex shrink-0 flex-wrap gap-2">
            <Button variant="secondary" size="small" ref={editButton} onClick={() => setEditing(true)}>
              Edit
            </Button>
            <Button variant="danger" size="small" onClick={() => onDelete(task)}>
              Delete
            </Button>
          </div>
        </>
      )}
    </li>
  );
}
