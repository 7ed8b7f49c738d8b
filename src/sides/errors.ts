// Why a side cannot be opened or explored. Two kinds, because the CLI answers them differently:
// a usage error (the name itself is wrong: exit 2, with the usage line) and an error in the
// input the name points at (a rule file with errors, bad assembly, a missing label: exit 1).
// Input errors are located (`file:line:col: error: ...`) wherever there is a file.
export class SideError extends Error {
  private constructor(
    message: string,
    readonly usage: boolean,
  ) {
    super(message);
    this.name = "SideError";
  }

  /** The name is not one faultc can open (bad form, unknown reference, option not for this kind). */
  static usage(message: string): SideError {
    return new SideError(message, true);
  }

  /** What the name points at is wrong; the message is located where there is a file. */
  static input(message: string): SideError {
    return new SideError(message, false);
  }
}
