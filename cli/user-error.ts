/**
 * A mistake on the user's side (a wrong path, an invalid option, an invalid
 * config): `kt` prints its one-line message and exits with its code, no stack.
 * Anything else that escapes a command is a bug and is reported as one.
 */
export class UserError extends Error {
  /** 1: the input was read but is wrong (an invalid config); 2: it could not be used at all. */
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2 = 2) {
    super(message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}

/** Exit code for an unexpected failure (a bug in `kt`), as in BSD sysexits' EX_SOFTWARE. */
export const BUG_EXIT_CODE = 70;
