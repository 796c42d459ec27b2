// THE SHARED LOOK: Tailwind class names for cards, fields and text, and the few small pieces
// every page uses (a button that shows its progress, a field message, an error with Retry).
// Every colour has a dark: twin (the system's dark mode, prefers-color-scheme); text keeps a
// contrast of at least 4.5:1 in both (e2e/browser.mjs checks each screenshot).
import type { ButtonHTMLAttributes, ReactNode, Ref } from "react";

/** Join class names, skipping false/undefined. */
export function cx(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(" ");
}

export const ui = {
  page: "mx-auto w-full max-w-2xl px-5 py-8 sm:py-10",
  narrowPage: "mx-auto w-full max-w-md px-5 py-8 sm:py-10",
  h1: "mb-5 text-2xl font-bold tracking-tight",
  card: "rounded-lg border border-slate-200 bg-white p-5 shadow-xs dark:border-slate-700 dark:bg-slate-900",
  stack: "flex flex-col gap-4",
  field: "flex min-w-0 flex-col gap-1.5",
  fieldRow: "flex flex-wrap gap-4 *:flex-[1_1_11rem]",
  label: "text-sm font-semibold",
  input:
    "min-h-11 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 " +
    "outline-offset-1 focus-visible:outline-2 focus-visible:outline-blue-600 " +
    "aria-invalid:border-red-700 dark:border-slate-600 dark:bg-slate-950 dark:text-slate-100 " +
    "dark:focus-visible:outline-blue-400 dark:aria-invalid:border-red-400",
  hint: "text-sm text-slate-600 dark:text-slate-400",
  muted: "text-slate-600 dark:text-slate-400",
  link: "font-semibold text-blue-700 underline-offset-2 hover:underline dark:text-blue-300",
} as const;

const BUTTON_BASE =
  "inline-flex min-h-10 items-center justify-center gap-2 rounded-md border px-4 py-2 font-semibold " +
  "cursor-pointer transition-colors outline-offset-2 focus-visible:outline-2 focus-visible:outline-blue-600 " +
  "dark:focus-visible:outline-blue-400 disabled:cursor-not-allowed aria-busy:cursor-progress";

const BUTTON_VARIANTS = {
  primary:
    "border-blue-700 bg-blue-700 text-white hover:enabled:bg-blue-800 hover:enabled:border-blue-800 " +
    "disabled:border-slate-400 disabled:bg-slate-400 dark:border-blue-500 dark:bg-blue-500 dark:text-slate-950 " +
    "dark:hover:enabled:bg-blue-400 dark:disabled:border-slate-600 dark:disabled:bg-slate-600 dark:disabled:text-slate-300 " +
    "aria-busy:disabled:bg-blue-700 aria-busy:disabled:border-blue-700 " +
    "dark:aria-busy:disabled:bg-blue-500 dark:aria-busy:disabled:border-blue-500 dark:aria-busy:disabled:text-slate-950",
  secondary:
    "border-slate-300 bg-white text-slate-900 hover:enabled:bg-slate-100 disabled:text-slate-500 " +
    "dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:enabled:bg-slate-800 dark:disabled:text-slate-400",
  danger:
    "border-slate-300 bg-white text-red-700 hover:enabled:bg-red-50 disabled:text-slate-500 " +
    "dark:border-slate-600 dark:bg-slate-900 dark:text-red-300 dark:hover:enabled:bg-red-950 dark:disabled:text-slate-400",
} as const;

const BUTTON_SIZES = { normal: "text-base", small: "min-h-9 px-3 py-1 text-sm" } as const;

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: keyof typeof BUTTON_VARIANTS;
  size?: keyof typeof BUTTON_SIZES;
  /** Working: a spinner and `busyLabel` instead of the label, aria-busy, not clickable. */
  busy?: boolean;
  busyLabel?: string;
  ref?: Ref<HTMLButtonElement>;
};

export function Button({ variant = "primary", size = "normal", busy = false, busyLabel, className, children, disabled, ...rest }: ButtonProps) {
  return (
    <button
      type="button"
      {...rest}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      className={cx(BUTTON_BASE, BUTTON_VARIANTS[variant], BUTTON_SIZES[size], className)}
    >
      {busy && <Spinner />}
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}

/** A small turning circle (decoration: the button's text says what is happening). */
export function Spinner() {
  return (
    <svg className="size-4 shrink-0 animate-spin" viewBox="0 0 24 24" fill="none" aria-hidden="true">
      <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.3" strokeWidth="3" />
      <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
    </svg>
  );
}

/** The message under a field, referenced by the field's aria-describedby. */
export function FieldMessage({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} data-testid="field-error" className="text-sm font-medium text-red-700 dark:text-red-300">
      {children}
    </p>
  );
}

/** What went wrong, in words, with a Retry button when trying again can help. */
export function ErrorNotice({
  children,
  onRetry,
  retrying = false,
  className,
}: {
  children: ReactNode;
  onRetry?: () => void;
  retrying?: boolean;
  className?: string;
}) {
  return (
    <div
      role="alert"
      data-testid="error"
      className={cx(
        "flex flex-wrap items-center justify-between gap-x-4 gap-y-2 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-red-800",
        "dark:border-red-900 dark:bg-red-950 dark:text-red-200",
        className,
      )}
    >
      <p className="min-w-0">{children}</p>
      {onRetry && (
        <Button variant="secondary" size="small" onClick={onRetry} busy={retrying} busyLabel="Retrying…">
          Retry
        </Button>
      )}
    </div>
  );
}

/** A calm message (not an error): e.g. why the person is back on the sign-in page. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p
      role="status"
      data-testid="notice"
      className="mb-5 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      {children}
    </p>
  );
}
