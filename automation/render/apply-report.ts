// The apply comment (key `apply`) and terminal report: what was applied, what was refused and why,
// and for refused stacks their fresh plans with fingerprints a human can approve by hand.
import type { ApplyStatus, StackApplyResult } from "../applying";
import { renderPlanComment } from "./comment";
import { codeBlock, codeSpan, plainText } from "./markdown";

const LABEL: Record<ApplyStatus, string> = {
  applied: "✅ applied",
  "up-to-date": "✅ up to date",
  failed: "❌ apply failed",
  changed: "⛔ not applied: plan changed since review",
  "not-reviewed": "⛔ not applied: changes were never reviewed",
  "needs-label": "⛔ not applied: needs the `allow-destroy` label",
  blocked: "⏸️ not applied: blocked by a dependency",
  error: "❌ planning failed",
};

/** Stacks whose fresh plan a human may approve: they planned fine but did not match the review. */
export function approvableResults(results: readonly StackApplyResult[]): StackApplyResult[] {
  return results.filter((r) => (r.status === "changed" || r.status === "not-reviewed" || r.status === "needs-label") && r.plan?.fingerprint);
}

/** `{"stack":"sha256:..."}` of the fresh plans a human may approve with the manual apply workflow. */
export function approvalFingerprints(results: readonly StackApplyResult[]): Record<string, string> {
  return Object.fromEntries(approvableResults(results).map((r) => [r.stack, r.plan?.fingerprint ?? ""]));
}

function resultsTable(results: readonly StackApplyResult[]): string {
  const rows = results.map((r) => `| ${codeSpan(r.stack)} | ${LABEL[r.status]} | ${plainText(r.detail)} |`);
  return ["| stack | result | details |", "|---|---|---|", ...rows].join("\n");
}

export interface ApplyReportOptions {
  readonly environment: string;
  /** Sticky comment key. @default "apply" */
  readonly key?: string;
  /** Still running: more stacks will follow. */
  readonly inProgress?: boolean;
  /** "Applying commit … · workflow run", from runSourceLine. */
  readonly source?: string;
  /** Who allowed a destroy, or why the allow-destroy label does not count (destroy-approval.ts). */
  readonly destroyApproval?: string;
}

/** Markdown for the PR's `apply` comment. Never carries the fingerprints marker apply reads. */
export function renderApplyComment(results: readonly StackApplyResult[], options: ApplyReportOptions): string {
  const intro: string[] = [...(options.source ? [options.source] : []), resultsTable(results)];
  if (options.inProgress) intro.push("_Apply in progress…_");
  const destroys = results.some((r) => r.status === "needs-label" || (r.status === "applied" && (r.plan?.protectedDestroys.length ?? 0) > 0));
  if (options.destroyApproval && destroys) intro.push(`**Destroy of protected resources:** ${plainText(options.destroyApproval)}.`);
  // Terraform's own words for what went wrong (already masked by the planning code), last 3,000 characters.
  for (const r of results.filter((x) => (x.status === "failed" || x.status === "error") && x.errorText)) {
    const what = r.status === "failed" ? "terraform apply failed" : "planning failed";
    intro.push(`**${codeSpan(r.stack)}: ${what}**\n\n${codeBlock((r.errorText ?? "").slice(-3000))}`);
  }
  const approvable = approvableResults(results);
  if (approvable.length > 0) {
    intro.push(
      [
        "These stacks were **not applied**. Their fresh plans are below. If they are what you want, run the",
        `**apply** workflow by hand (Actions → apply → Run workflow) with environment ${codeSpan(options.environment)}`,
        "and these fingerprints; it applies a stack only if its plan still has this fingerprint:",
      ].join(" "),
      codeBlock(JSON.stringify(approvalFingerprints(results))),
    );
  }
  return renderPlanComment(
    approvable.flatMap((r) => (r.plan ? [r.plan.section] : [])),
    { key: options.key ?? "apply", command: "apply", title: `Terraform apply: ${options.environment}`, intro: intro.join("\n\n"), fingerprintsMarker: false },
  );
}

/** Plain lines for stdout. */
export function formatApplyResults(results: readonly StackApplyResult[]): string {
  return results.map((r) => `${r.stack}: ${r.status} (${oneLine(r.detail)})`).join("\n") + (results.length ? "\n" : "no stacks\n");
}

/**
 * A detail can carry terraform's error output. On stdout it is kept to its first line, so no line
 * of it can start a GitHub Actions workflow command (`::add-mask::`, `::error::`, ...).
 */
function oneLine(text: string): string {
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  return first.length < text.trimEnd().length ? `${first} …` : first;
}
