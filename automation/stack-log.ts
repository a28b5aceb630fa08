// Human progress for multi-stack runs on stderr. Locally every terraform line streams with a
// `[stack]` prefix; on GitHub Actions each stack's output is buffered and printed as one collapsible
// group when the stack finishes, because groups cannot interleave when stacks run in parallel.
import { randomBytes } from "node:crypto";
import type { StackLog } from "./planning";

export function createStackLog(write: (text: string) => void, env: Readonly<Record<string, string | undefined>>, verb = "plan"): StackLog {
  const grouped = env.GITHUB_ACTIONS === "true";
  const started = Date.now();
  const buffers = new Map<string, string[]>();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  return {
    begin(stack, index, total) {
      buffers.set(stack, []);
      write(`[${index}/${total}] ${stack}: ${verb} started (${elapsed()} elapsed)\n`);
    },
    line(stack, text) {
      if (grouped) buffers.get(stack)?.push(text);
      else write(`[${stack}] ${text}\n`);
    },
    end(stack, status, seconds) {
      const summary = `${stack}: ${status} in ${seconds.toFixed(1)}s`;
      if (grouped) {
        // Terraform output can contain text an author of the change controls (attribute values,
        // error messages). Between stop-commands and its token the runner executes no workflow
        // command in it (`::error::`, `::add-mask::`, ...); the token is random per group.
        const token = randomBytes(16).toString("hex");
        const lines = buffers.get(stack) ?? [];
        write(`::group::${summary}\n::stop-commands::${token}\n${lines.map((l) => `${l}\n`).join("")}::${token}::\n::endgroup::\n`);
      } else {
        write(`${summary}\n`);
      }
      buffers.delete(stack);
    },
  };
}
