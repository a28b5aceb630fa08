// Human progress for multi-stack runs on stderr. Locally every terraform line streams with a
// `[stack]` prefix; on GitHub Actions each stack's output is buffered and printed as one collapsible
// group when the stack finishes, because groups cannot interleave when stacks run in parallel.
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
        // `::` at a line start is a workflow command: terraform output must not be able to issue one.
        const lines = (buffers.get(stack) ?? []).map((l) => (l.startsWith("::") ? ` ${l}` : l));
        write(`::group::${summary}\n${lines.join("\n")}${lines.length ? "\n" : ""}::endgroup::\n`);
      } else {
        write(`${summary}\n`);
      }
      buffers.delete(stack);
    },
  };
}
