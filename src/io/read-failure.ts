// Why an input file could not be read, in the same few words wherever faultc reads one (rule
// files, assembly, scenarios), so that `cannot read 'x' (is a directory)` reads alike everywhere.

/** The reason a read of a file failed: "no such file", "is a directory", "permission denied", ... */
export function readFailure(err: unknown): string {
  const code = typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : "";
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EISDIR":
      return "is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ELOOP":
      return "too many symbolic links";
    case "ENAMETOOLONG":
      return "name too long";
    default:
      return code !== "" ? `unreadable: ${code}` : "unreadable";
  }
}
