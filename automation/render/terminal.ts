// Plain or ANSI-coloured text for a terminal (`gitops summarize --format text`, later `gitops diff`).
import { SENSITIVE, UNKNOWN, type StackReview } from "../plan/review";
import type { ActionKind } from "../plan/summary";

export interface TerminalOptions {
  /** ANSI colours; callers decide from isTTY / NO_COLOR. @default false */
  readonly color?: boolean;
}

const SYMBOL: Record<ActionKind, string> = {
  create: "+",
  update: "~",
  delete: "-",
  replace: "-/+",
  read: "<=",
  forget: ".",
  "create-forget": "+/.",
  "no-op": " ",
  unknown: "?",
};

const COLOR: Partial<Record<ActionKind, number>> = { create: 32, update: 33, delete: 31, replace: 31, read: 36 };

/** Strips control characters so plan text cannot move the cursor or recolour the terminal. */
function safe(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

export function renderTerminalReview(stack: string, review: StackReview, options: TerminalOptions = {}): string {
  const paint = (code: number | undefined, text: string): string => (options.color && code ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [paint(1, `${safe(stack)}:`)];
  for (const r of review.resources) {
    const tags = [r.importing ? "import" : "", r.moved && r.previousAddress ? `moved from ${safe(r.previousAddress)}` : ""].filter(Boolean);
    lines.push(`  ${paint(COLOR[r.action], SYMBOL[r.action].padStart(3))} ${safe(r.address)}${tags.length ? ` (${tags.join(", ")})` : ""}`);
    for (const a of r.attributes) {
      const v = (s: string): string => (s === SENSITIVE || s === UNKNOWN ? s : safe(s));
      lines.push(`        ${safe(a.path)}: ${v(a.before)} -> ${v(a.after)}${a.forcesReplacement ? " # forces replacement" : ""}`);
    }
  }
  for (const o of review.outputs) lines.push(`  output ${safe(o.name)}: ${safe(o.before)} -> ${safe(o.after)}`);
  if (review.counts.errored) lines.push(paint(31, "  Error: Terraform reported that planning failed."));
  if (review.planLine) lines.push(`  ${review.planLine}`);
  else if (review.counts.noChanges) lines.push("  No changes.");
  else if (review.counts.outputChanges > 0) lines.push(`  Changes to Outputs only (${review.counts.outputChanges}).`);
  return lines.join("\n") + "\n";
}
