// THE FIELDS OF A TASK (title, description, priority, due date), shared by the "add" form and
// each task's edit form. The inputs are uncontrolled: the form reads them with readTaskFields().
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

type Props = {
  /** Makes the ids of the inputs unique on the page. */
  idPrefix: string;
  /** The task being edited (its values fill the fields); none for a new task. */
  task?: Task;
  autoFocus?: boolean;
};

export function TaskFields({ idPrefix, task, autoFocus }: Props) {
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-title`}>Title</label>
        <input
          id={`${idPrefix}-title`}
          name="title"
          type="text"
          required
          maxLength={TITLE_MAX}
          autoComplete="off"
          defaultValue={task?.title}
          autoFocus={autoFocus}
        />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-description`}>Description</label>
        <textarea
          id={`${idPrefix}-description`}
          name="description"
          rows={2}
          maxLength={DESCRIPTION_MAX}
          defaultValue={task?.description ?? ""}
        />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${idPrefix}-priority`}>Priority</label>
          <select id={`${idPrefix}-priority`} name="priority" defaultValue={task?.priority ?? "medium"}>
            {PRIORITIES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${idPrefix}-due`}>Due date</label>
          <input
            id={`${idPrefix}-due`}
            name="due_date"
            type="date"
            min={DATE_INPUT_MIN}
            max={DATE_INPUT_MAX}
            defaultValue={inputFromDueDate(task?.due_date ?? null)}
          />
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

/** The values of the TaskFields in `form`. Throws an Error, worded for the person, on a bad one. */
export function readTaskFields(form: HTMLFormElement): TaskFieldValues {
  const data = new FormData(form);
  const text = (name: string) => {
    const value = data.get(name);
    return typeof value === "string" ? value : "";
  };
  const title = text("title").trim();
  if (!title) throw new Error("Please enter a title.");
  const priority = PRIORITIES.find((p) => p.value === text("priority"))?.value;
  if (!priority) throw new Error("Please choose a priority.");
  const dueInput = text("due_date");
  return { title, description: text("description"), priority, dueInput, dueDate: dueDateFromInput(dueInput) };
}
