// Checkouts of this repository's gitops/ for the preview tests, changed the way a pull request would.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const REPO_GITOPS = join(__dirname, "..", "..", "..", "gitops");

/** Copies the repository's gitops/ into `root` (which then looks like a checkout). */
export function copyGitops(root: string): string {
  cpSync(REPO_GITOPS, join(root, "gitops"), { recursive: true });
  return root;
}

/** Replaces `from` by `to` in `file`; throws when `from` is not there, so a stale edit cannot pass silently. */
export function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(file, text.replace(from, to));
}
