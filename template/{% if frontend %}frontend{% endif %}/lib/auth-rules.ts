// The sign-up rules the forms check before sending, so the person reads one sentence per field
// instead of the server's raw validation text. Better Auth checks them again on the server:
// PASSWORD_MIN_LENGTH is emailAndPassword.minPasswordLength in lib/auth.ts, the maximum is
// Better Auth's default (e2e/browser-messages.test.mjs fails when they drift apart).
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
export const NAME_MAX_LENGTH = 100;

export type AuthField = "name" | "email" | "password";
export type FieldErrors = Partial<Record<AuthField, string>>;

/** Something@something.something: the shape people recognise. The server's check is stricter;
 * its answer is shown next to the field too (fieldErrorsFromServer). */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const MESSAGES = {
  nameMissing: "Enter your name.",
  nameTooLong: `Use at most ${NAME_MAX_LENGTH} characters for your name.`,
  emailMissing: "Enter your email address.",
  emailInvalid: "Enter an email address like name@example.com.",
  emailTaken: "An account with this email already exists. Sign in instead.",
  passwordMissing: "Enter your password.",
  passwordTooShort: `Use at least ${PASSWORD_MIN_LENGTH} characters for your password.`,
  passwordTooLong: `Use at most ${PASSWORD_MAX_LENGTH} characters for your password.`,
  wrongCredentials: "Wrong email or password.",
} as const;

export function checkAuthFields(values: { name?: string; email: string; password: string }, signUp: boolean): FieldErrors {
  const errors: FieldErrors = {};
  if (signUp) {
    const name = values.name ?? "";
    if (!name) errors.name = MESSAGES.nameMissing;
    else if (name.length > NAME_MAX_LENGTH) errors.name = MESSAGES.nameTooLong;
  }
  if (!values.email) errors.email = MESSAGES.emailMissing;
  else if (!EMAIL_SHAPE.test(values.email)) errors.email = MESSAGES.emailInvalid;
  if (!values.password) errors.password = MESSAGES.passwordMissing;
  else if (signUp && values.password.length < PASSWORD_MIN_LENGTH) errors.password = MESSAGES.passwordTooShort;
  else if (signUp && values.password.length > PASSWORD_MAX_LENGTH) errors.password = MESSAGES.passwordTooLong;
  return errors;
}

/**
 * Better Auth's refusals, per field. Its body validation answers one message such as
 * "[body.email] Invalid email address; [body.password] Too small: …" (code VALIDATION_ERROR);
 * the other refusals carry a code. Returns the field messages and, for the rest, one sentence
 * for the whole form (null when every problem belongs to a field).
 */
export function fieldErrorsFromServer(error: { code?: string; message?: string; status?: number }): {
  fields: FieldErrors;
  form: string | null;
} {
  switch (error.code) {
    case "INVALID_EMAIL":
      return { fields: { email: MESSAGES.emailInvalid }, form: null };
    case "PASSWORD_TOO_SHORT":
      return { fields: { password: MESSAGES.passwordTooShort }, form: null };
    case "PASSWORD_TOO_LONG":
      return { fields: { password: MESSAGES.passwordTooLong }, form: null };
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
      return { fields: { email: MESSAGES.emailTaken }, form: null };
    case "INVALID_EMAIL_OR_PASSWORD":
      return { fields: {}, form: MESSAGES.wrongCredentials };
  }
  if (error.code === "VALIDATION_ERROR" && error.message) {
    const fields: FieldErrors = {};
    let unknown = false;
    for (const part of error.message.split("; ")) {
      const field = /^\[body\.(name|email|password)\]/.exec(part)?.[1] as AuthField | undefined;
      if (field === "name") fields.name = MESSAGES.nameMissing;
      else if (field === "email") fields.email = MESSAGES.emailInvalid;
      else if (field === "password") fields.password = MESSAGES.passwordMissing;
      else unknown = true;
    }
    return unknown ? { fields, form: "Please check what you entered and try again." } : { fields, form: null };
  }
  return { fields: {}, form: error.message || "Something went wrong. Please try again." };
}
