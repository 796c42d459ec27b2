// DUE DATES between the date picker (<input type="date">, a local calendar day) and the API
// (an RFC 3339 date-time with an offset; the backend answers in UTC). A day picked here means
// "due by the end of that day", where the browser is.

/** The years the backend accepts (its date-time pattern). */
const FIRST_YEAR = 1970;
const LAST_YEAR = 9998;
export const DATE_INPUT_MIN = `${FIRST_YEAR}-01-01`;
export const DATE_INPUT_MAX = `${LAST_YEAR}-12-31`;

const two = (n: number) => String(n).padStart(2, "0");

/** "2030-05-01" → "2030-05-01T23:59:59+02:00" (the end of that day, with the browser's offset
 * on that day); "" → null. Throws an Error with a message for the person on a bad date. */
export function dueDateFromInput(value: string): string | null {
  if (value === "") return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [year, month, day] = match ? match.slice(1).map(Number) : [NaN, NaN, NaN];
  const end = new Date(year, month - 1, day, 23, 59, 59);
  if (!match || end.getFullYear() !== year || end.getMonth() !== month - 1 || end.getDate() !== day) {
    throw new Error("Please pick a valid due date.");
  }
  if (year < FIRST_YEAR || year > LAST_YEAR) {
    throw new Error(`Please pick a due date between ${FIRST_YEAR} and ${LAST_YEAR}.`);
  }
  const offset = -end.getTimezoneOffset(); // minutes east of UTC
  const sign = offset < 0 ? "-" : "+";
  const zone = `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  return `${value}T23:59:59${zone}`;
}

/** The API's due date as the local day the date picker shows ("" for none). */
export function inputFromDueDate(dueDate: string | null): string {
  if (!dueDate) return "";
  const date = new Date(dueDate);
  if (Number.isNaN(date.getTime())) return "";
  return `${String(date.getFullYear()).padStart(4, "0")}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
}

/** Due before now and not done. */
export function isOverdue(task: { due_date: string | null; completed: boolean }, now = Date.now()): boolean {
  return task.due_date !== null && !task.completed && Date.parse(task.due_date) < now;
}

/** A due date for people: "May 1, 2030" (in the browser's language and time zone). */
export function formatDueDate(dueDate: string): string {
  return new Date(dueDate).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}
