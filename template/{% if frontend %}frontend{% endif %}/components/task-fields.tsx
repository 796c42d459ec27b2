// THE FIELDS OF A TASK (title, description, priority, due date), shared by the "add" form and
// each task's edit form. The inputs are uncontrolled: the form reads them with readTaskFields(),
// and what was typed stays in them when sending fails. A field's problem is shown under it.
import { FieldMessage, cx, ui } from "@/components/ui";
import type { Priority, Task } from "@/lib/api";
import { DATE_INPUT_MAX, DATE_INPUT_MIN, dueDateFromInput, inputFromDueDate } from "@/lib/due-date";

export const PRIORITIES: readonly { value: Priority; label: string }[] = [
  { value: "low", label: "Low" },
  { value: "medium", label: "Medium" },
  { value: "high", label: "High" },
];

/** The backend's limits (characters). */
const TITLE_MAX = 200;
const DESCRIPTION_MAX = 1000;

export type TaskField = "title" | "due_date";
export type TaskFieldErrors = Partial<Record<TaskField, string>>;

/** A value the person must fix, and which field it is in. */
export class TaskFieldError extends Error {
  constructor(
    readonly field: TaskField,
    message: string,
  ) {
    super(message);
    this.name = "TaskFieldError";
  }
}

type Props = {
  /** Makes the ids of the inputs unique on the page. */
  idPrefix: string;
  /** The task being edited (its values fill the fields); none for a new task. */
  task?: Task;
  autoFocus?: boolean;
  errors?: TaskFieldErrors;
};

/** aria-invalid and aria-describedby for a field that may have a message. */
function described(idPrefix: string, field: TaskField, errors: TaskFieldErrors | undefined) {
  return errors?.[field]
    ? { "aria-invalid": true as const, "aria-describedby": `${idPrefix}-${field}-error` }
    : {};
}

export function TaskFields({ idPrefix, task, autoFocus, errors }: Props) {
  return (
    <>
      <div className={ui.field}>
        <label htmlFor={`${idPrefix}-title`} className={ui.label}>
          Title
        </label>
        <input
          id={`${idPrefix}-title`}
          name="title"
          type="text"
          required
          maxLength={TITLE_MAX}
          autoComplete="off"
          defaultValue={task?.title}
          autoFocus={autoFocus}
          className={ui.input}
          {...described(idPrefix, "title", errors)}
        />
        {errors?.title && <FieldMessage id={`${idPrefix}-title-error`}>{errors.title}</FieldMessage>}
      </div>
      <div className={ui.field}>
        <label htmlFor={`${idPrefix}-description`} className={ui.label}>
          Description
        </label>
        <textarea
          id={`${idPrefix}-description`}
          name="description"
          rows={2}
          maxLength={DESCRIPTION_MAX}
          defaultValue={task?.description ?? ""}
          className={cx(ui.input, "resize-y")}
        />
      </div>
      <div className={ui.fieldRow}>
        <div className={ui.field}>
          <label htmlFor={`${idPrefix}-priority`} className={ui.label}>
            Priority
          </label>
          <select
            id={`${idPrefix}-priority`}
            name="priority"
            defaultValue={task?.priority ?? "medium"}
            className={ui.input}
          >
            {PRIORITIES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className={ui.field}>
          <label htmlFor={`${idPrefix}-due`} className={ui.label}>
            Due date
          </label>
          <input
            id={`${idPrefix}-due`}
            name="due_date"
            type="date"
            min={DATE_INPUT_MIN}
            max={DATE_INPUT_MAX}
            defaultValue={inputFromDueDate(task?.due_date ?? null)}
            className={ui.input}
            {...described(idPrefix, "due_date", errors)}
          />
          {errors?.due_date && <FieldMessage id={`${idPrefix}-due_date-error`}>{errors.due_date}</FieldMessage>}
        </div>
      </div>
    </>
  );
}

export type TaskFieldValues = {
  title: string;
  description: string;
  priority: Priority;
  /** What the date picker holds ("" for none), and that day as the API's due date. */
  dueInput: string;
  dueDate: string | null;
};

/** The values of the TaskFields in `form`. Throws a TaskFieldError, worded for the person, on a bad one. */
export function readTaskFields(form: HTMLFormElement): TaskFieldValues {
  const data = new FormData(form);
  const text = (name: string) => {
    const value = data.get(name);
    return typeof value === "string" ? value : "";
  };
  const title = text("title").trim();
  if (!title) throw new TaskFieldError("title", "Enter a title.");
  const priority = PRIORITIES.find((p) => p.value === text("priority"))?.value ?? "medium";
  const dueInput = text("due_date");
  let dueDate: string | null;
  try {
    dueDate = dueDateFromInput(dueInput);
  } catch (e) {
    throw new TaskFieldError("due_date", e instanceof Error ? e.message : String(e));
  }
  return { title, description: text("description"), priority, dueInput, dueDate };
}

/** Focus the field `error` is about (in `form`). */
export function focusField(form: HTMLFormElement, error: TaskFieldError): void {
  form.querySelector<HTMLElement>(`[name="${error.field}"]`)?.focus();
}
