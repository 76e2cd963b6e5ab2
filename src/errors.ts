/** Exit codes are part of the contract (README § Exit codes): users' scripts depend on them. */
export const ExitCode = {
  /** Everything valid and (replay) delivered. */
  Ok: 0,
  /** Invalid records, undelivered records, or a breached --threshold. */
  Failed: 1,
  /** Usage, config or I/O error. */
  Usage: 2,
  /** Interrupted (Ctrl-C). */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can act on: printed as one line (plus an optional hint), never with a
 * stack trace unless --debug. `exitCode` says how the process ends.
 */
export class UserError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? ExitCode.Usage;
    this.hint = options.hint;
  }
}

/** Bad flags or arguments. */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.Usage, hint });
    this.name = 'UsageError';
  }
}

/** A config file, environment or credential problem (all problems in one message). */
export class ConfigError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.Usage, hint });
    this.name = 'ConfigError';
  }
}

/** An input that cannot be read at all (missing, unreadable, truncated .gz). */
export class InputError extends UserError {
  readonly file: string;
  constructor(file: string, message: string, cause?: unknown) {
    super(`${file}: ${message}`, { exitCode: ExitCode.Usage, cause });
    this.name = 'InputError';
    this.file = file;
  }
}

/** Short text for an unknown thrown value, for one-line messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
