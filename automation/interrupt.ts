// What an interrupt (Ctrl-C, a cancelled CI job) does to a run: it is passed on, once, to the
// Terraform processes still running, so each can stop cleanly (finish writing state, release its
// lock) instead of dying with us and leaving a stale lock; and no further stack is started. The
// command then finishes its bookkeeping (reports, removing plan files) and exits 130.
import type { ChildProcess } from "node:child_process";
import { ResultCode } from "./errors";

const children = new Set<ChildProcess>();
let received: NodeJS.Signals | undefined;
let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  // A second interrupt while nothing is left to stop means "really stop now".
  if (received !== undefined && children.size === 0) process.exit(128 + (signal === "SIGINT" ? 2 : 15));
  received = signal;
  for (const child of children) child.kill(signal);
}

/** Registers a running Terraform process; interrupts are forwarded to it until it exits. */
export function trackTerraformProcess(child: ChildProcess): void {
  if (!installed) {
    installed = true;
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  children.add(child);
  child.once("close", () => children.delete(child));
  child.once("error", () => children.delete(child));
}

/** True once an interrupt arrived: start no new stack. */
export function interrupted(): boolean {
  return received !== undefined;
}

/** Ends a command that was interrupted with exit 130 (SIGINT) or 143 (SIGTERM), after its cleanup. */
export function exitIfInterrupted(): void {
  if (received === undefined) return;
  throw new ResultCode(received === "SIGINT" ? 130 : 143, `interrupted (${received}): stacks not yet started were skipped`);
}
