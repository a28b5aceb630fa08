// Reads Terraform's "Error acquiring the state lock" report, so a stale lock is explained in plain
// words with what is needed to release it (`gitops unlock --stack S --lock-id ID`).
//
// Terraform prints the error message of the backend, then a "Lock Info" block. Backends differ in what
// that block describes:
// - s3 (use_lockfile), dynamodb, and most others: the lock that is held, i.e. the holder;
// - http: the lock this run tried to take; the holder's ID is only in the message
//   ("HTTP remote state already locked: ID=<holder>"), seen with Terraform 1.11.
// This is human output, the one place we read it: Terraform has no machine-readable lock error.
import { codeSpan } from "./render/markdown";

export interface LockHolder {
  /** The lock ID `terraform force-unlock` needs. */
  readonly id: string;
  /** user@host of the run that holds it, when the backend says. */
  readonly who?: string;
  /** e.g. OperationTypeApply. */
  readonly operation?: string;
  /** When it was taken, as Terraform prints it. */
  readonly created?: string;
  readonly path?: string;
}

const LOCK_ERROR = /Error acquiring the state lock/;
const HTTP_HOLDER = /already locked:\s*ID=([A-Za-z0-9-]+)/;

function lockInfoFields(lines: readonly string[]): Record<string, string> {
  const start = lines.findIndex((l) => /^Lock Info:\s*$/.test(l));
  if (start < 0) return {};
  const fields: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    const m = /^\s+([A-Za-z]+):\s*(.*)$/.exec(line);
    if (!m) break;
    fields[m[1]!] = m[2]!.trim();
  }
  return fields;
}

/** The holder of the lock Terraform could not take, or undefined when `stderr` is another error. */
export function parseLockError(stderr: string): LockHolder | undefined {
  if (!LOCK_ERROR.test(stderr)) return undefined;
  // Terraform frames diagnostics with "│ " when it thinks it writes to a terminal.
  const lines = stderr.split("\n").map((l) => l.replace(/^[│╷╵]\s?/, ""));
  const text = lines.join("\n");
  const http = HTTP_HOLDER.exec(text);
  if (http) return isLockId(http[1]!) ? { id: http[1]! } : undefined;
  const info = lockInfoFields(lines);
  if (!info.ID || !isLockId(info.ID)) return undefined;
  const optional = (value: string | undefined) => (value ? value : undefined);
  const holder: LockHolder = { id: info.ID };
  return {
    ...holder,
    ...(optional(info.Who) ? { who: info.Who } : {}),
    ...(optional(info.Operation) ? { operation: info.Operation } : {}),
    ...(optional(info.Created) ? { created: info.Created } : {}),
    ...(optional(info.Path) ? { path: info.Path } : {}),
  };
}

const LOCK_ID = /^[A-Za-z0-9][A-Za-z0-9-]{7,63}$/;

/** Lock IDs are UUIDs for every built-in backend; anything else is refused before terraform runs. */
export function isLockId(value: string): boolean {
  return LOCK_ID.test(value);
}

/** One line for terminals and reports: who holds the lock, since when, and its ID. */
export function describeLockHolder(holder: LockHolder): string {
  const by = [holder.who ? `by ${holder.who}` : "", holder.operation ? `for ${holder.operation.replace(/^OperationType/, "").toLowerCase()}` : "", holder.created ? `since ${holder.created}` : ""]
    .filter(Boolean)
    .join(" ");
  return `the state is locked${by ? ` ${by}` : ""} (lock ID ${holder.id})`;
}

/** A note for the stack's section (PR comment, drift issue): what happened and how to release it. */
export function lockNote(stack: string, holder: LockHolder): string {
  const parts = [
    holder.who ? `held by ${codeSpan(holder.who)}` : "",
    holder.operation ? `for ${codeSpan(holder.operation)}` : "",
    holder.created ? `since ${codeSpan(holder.created)}` : "",
  ].filter(Boolean);
  return [
    `**The state is locked** (lock ID ${codeSpan(holder.id)}${parts.length ? `, ${parts.join(", ")}` : ""}): another run is using it, or one died without releasing it.`,
    `If no run is working on ${codeSpan(stack)} any more, release it with the **unlock** workflow (stack ${codeSpan(stack)}, lock ID ${codeSpan(holder.id)})`,
    `or \`gitops unlock --stack ${stack} --lock-id ${holder.id}\`.`,
  ].join(" ");
}
