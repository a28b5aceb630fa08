// One stack's part of the PR comment, pre-rendered, as plan jobs upload it (`section.json`).
//
// Plan JSON holds secrets in clear text and never leaves the job that made it. What travels between
// CI jobs is this section: the stack's status, counts and fingerprint plus markdown pieces that the
// merging `render --section` call can shrink without the plan:
//
//   {
//     "format": "gitops-stack-section/v1",
//     "stack": "staging-cluster",
//     "status": "changes" | "no-changes" | "error" | "blocked" | "pending",
//     "counts": { "add": 1, ..., "errored": false } | null,   // null: terraform produced no plan
//     "planLine": "Plan: 1 to add, 0 to change, 0 to destroy." | null,
//     "fingerprint": "sha256:<64 hex>" | null,                 // or hmac-sha256:; null for errors
//     "head": "<markdown always kept: heading, status, Plan line, destroy warning, error>",
//     "brief": "<markdown kept when even the head does not fit: heading, Plan line, short error>",
//     "groups": [ { "title": "Replace", "items": [ { "line": "- `aws_x.y` …", "detail": "  - `attr`: …" } ] } ]
//   }
//
// Detail levels, from most to least: items with their detail lines; items without detail; the
// first N items of the groups in order (most dangerous groups come first); no items. Every piece is
// self-contained markdown (no open fences or tags), so any prefix of the items keeps the comment
// well-formed. All text from the plan is already escaped and free of sensitive values.
import { z } from "zod";
import { UsageError } from "../errors";
import { FINGERPRINT_PATTERN, shortFingerprint } from "../plan/fingerprint";
import type { PlanCounts } from "../plan/summary";
import { SENSITIVE, UNKNOWN, type OutputReview, type ResourceReview, type StackReview } from "../plan/review";
import { codeBlock, codeSpan, formatNumber, plural } from "./markdown";

export const SECTION_FORMAT = "gitops-stack-section/v1";

/**
 * blocked: not planned because a dependency failed; pending: not planned yet because a dependency
 * with pending changes must be applied first (its state does not exist). Both come from the planner.
 */
export type StackStatus = "changes" | "no-changes" | "error" | "blocked" | "pending";

export interface SectionItem {
  readonly line: string;
  readonly detail: string;
}

export interface SectionGroup {
  readonly title: string;
  readonly items: readonly SectionItem[];
}

export interface StackSection {
  readonly format: typeof SECTION_FORMAT;
  readonly stack: string;
  readonly status: StackStatus;
  readonly counts: PlanCounts | null;
  readonly planLine: string | null;
  readonly fingerprint: string | null;
  readonly head: string;
  readonly brief: string;
  readonly groups: readonly SectionGroup[];
}

/** Stack names become headings and JSON keys in markers: keep them to what cdktf allows. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function assertStackName(name: string, source: string): void {
  if (!STACK_NAME.test(name) || name.length > 100) {
    throw new UsageError(`${source}: stack name ${JSON.stringify(name)} must be letters, digits, ".", "_" or "-"`);
  }
}

/** Most of terraform's stderr that one section may carry; errors are kept when shrinking, so cap them. */
const MAX_ERROR_CHARS = 4000;
const BRIEF_ERROR_CHARS = 400;
/** Destroyed/replaced addresses named in the warning itself; all of them are in the list below. */
const WARNING_ADDRESSES = 10;

export interface StackInput {
  readonly stack: string;
  /** null when terraform produced no plan (only an error message). */
  readonly review: StackReview | null;
  /** terraform's stderr or another message explaining an error. */
  readonly errorText?: string;
  /** Set by the planner for stacks it did not plan; otherwise derived from the review. */
  readonly status?: "blocked" | "pending";
  /** Markdown lines for the head, written by our own code (not plan text), e.g. dependency notes. */
  readonly notes?: readonly string[];
}

export function buildStackSection(input: StackInput): StackSection {
  const { stack, review } = input;
  const errored = input.status === undefined && (review === null || review.counts.errored);
  const status: StackStatus = input.status ?? (errored ? "error" : review?.counts.noChanges ? "no-changes" : "changes");
  const heading = `### ${statusIcon(status)} ${codeSpan(stack)}: ${statusLabel(status)}`;

  const head: string[] = [heading];
  const brief: string[] = [heading];
  if (review?.planLine) {
    head.push(review.planLine);
    brief.push(review.planLine);
  } else if (review && status === "no-changes") {
    head.push("No changes.");
    brief.push("No changes.");
  }
  const extras = review ? extraCounts(review) : null;
  if (extras) head.push(extras);
  if (review && !review.planLine && review.counts.outputChanges > 0) {
    const line = `Changes to Outputs only: applying saves ${plural(review.counts.outputChanges, "new output value")} to the state without changing real infrastructure.`;
    head.push(line);
    brief.push(line);
  }

  if (errored) {
    const why = review === null ? "Terraform did not produce a plan." : "Terraform reported that planning failed (the plan is `errored`); it cannot be applied.";
    head.push(`**Error:** ${why}`);
    brief.push(`**Error:** ${why}`);
  }
  for (const note of input.notes ?? []) {
    head.push(note);
    brief.push(note);
  }
  const headText = [head.join("\n\n")];
  const briefText = [brief.join("\n\n")];
  if (errored && input.errorText !== undefined && input.errorText.trim() !== "") {
    headText.push(codeBlock(clip(input.errorText, MAX_ERROR_CHARS)));
    briefText.push(codeBlock(clip(input.errorText, BRIEF_ERROR_CHARS)));
  }
  if (review) {
    const warning = destroyWarning(review.resources);
    if (warning) headText.push(warning);
  }
  if (review?.fingerprint) headText.push(`Fingerprint ${codeSpan(shortFingerprint(review.fingerprint))}`);

  return {
    format: SECTION_FORMAT,
    stack,
    status,
    counts: review?.counts ?? null,
    planLine: review?.planLine ?? null,
    fingerprint: review?.fingerprint ?? null,
    head: headText.join("\n\n"),
    brief: briefText.join("\n\n"),
    groups: review ? buildGroups(review) : [],
  };
}

const STATUS_TEXT: Record<StackStatus, { icon: string; label: string }> = {
  changes: { icon: "📝", label: "Changes" },
  "no-changes": { icon: "✅", label: "No changes" },
  error: { icon: "❌", label: "Error" },
  blocked: { icon: "⛔", label: "Blocked" },
  pending: { icon: "⏳", label: "Pending" },
};

function statusIcon(status: StackStatus): string {
  return STATUS_TEXT[status].icon;
}

function statusLabel(status: StackStatus): string {
  return STATUS_TEXT[status].label;
}

function clip(text: string, max: number): string {
  const trimmed = text.replace(/\s+$/, "");
  if (trimmed.length <= max) return trimmed;
  return `${trimmed.slice(0, max)}\n… ${formatNumber(trimmed.length - max)} more characters of terraform output omitted (see the job log)`;
}

/** Things Terraform's Plan line does not say: reads, forgets, moves. */
function extraCounts(review: StackReview): string | null {
  const parts: string[] = [];
  const moved = review.resources.filter((r) => r.moved).length;
  if (review.counts.read > 0) parts.push(`${plural(review.counts.read, "data source")} to read`);
  if (review.counts.forget > 0) parts.push(`${formatNumber(review.counts.forget)} to forget (removed from state, not destroyed)`);
  if (moved > 0) parts.push(`${formatNumber(moved)} to move`);
  if (review.planLine && review.counts.outputChanges > 0) parts.push(`${plural(review.counts.outputChanges, "output")} to change`);
  return parts.length > 0 ? `Also: ${parts.join(", ")}.` : null;
}

function destroyWarning(resources: readonly ResourceReview[]): string | null {
  const doomed = resources.filter((r) => r.action === "delete" || r.action === "replace");
  if (doomed.length === 0) return null;
  const replaced = doomed.filter((r) => r.action === "replace").length;
  const deleted = doomed.length - replaced;
  const what = [deleted > 0 ? `destroys ${plural(deleted, "resource")}` : "", replaced > 0 ? `replaces ${plural(replaced, "resource")} (destroy and create)` : ""]
    .filter(Boolean)
    .join(" and ");
  const lines = [`> [!CAUTION]`, `> This plan ${what}:`];
  for (const r of doomed.slice(0, WARNING_ADDRESSES)) {
    lines.push(`> - ${codeSpan(r.address)}${r.action === "replace" ? " (replace)" : ""}`);
  }
  if (doomed.length > WARNING_ADDRESSES) lines.push(`> - … and ${formatNumber(doomed.length - WARNING_ADDRESSES)} more, listed below`);
  return lines.join("\n");
}

/** Group order is review order: what destroys first, what only reads last. */
const GROUPS: ReadonlyArray<{ title: string; test: (r: ResourceReview) => boolean }> = [
  { title: "Replace", test: (r) => r.action === "replace" },
  { title: "Destroy", test: (r) => r.action === "delete" },
  { title: "Forget (removed from state, not destroyed)", test: (r) => r.action === "forget" || r.action === "create-forget" },
  { title: "Update in place", test: (r) => r.action === "update" },
  { title: "Other actions", test: (r) => r.action === "unknown" },
  { title: "Create", test: (r) => r.action === "create" },
  { title: "Import", test: (r) => r.action === "no-op" && r.importing },
  { title: "Move", test: (r) => r.action === "no-op" && !r.importing && r.moved },
  { title: "Read (data sources)", test: (r) => r.action === "read" },
];

function buildGroups(review: StackReview): SectionGroup[] {
  const groups: SectionGroup[] = [];
  for (const g of GROUPS) {
    const members = review.resources.filter(g.test);
    if (members.length > 0) groups.push({ title: g.title, items: members.map(resourceItem) });
  }
  if (review.actionAddresses.length > 0) {
    groups.push({ title: "Invoke actions", items: review.actionAddresses.map((address) => ({ line: `- ${codeSpan(address)}`, detail: "" })) });
  }
  if (review.outputs.length > 0) groups.push({ title: "Outputs", items: review.outputs.map(outputItem) });
  return groups;
}

function resourceItem(r: ResourceReview): SectionItem {
  const tags: string[] = [];
  if (r.importing && r.action !== "no-op") tags.push("imported");
  if (r.moved && r.previousAddress !== undefined) tags.push(`moved from ${codeSpan(r.previousAddress)}`);
  if (r.action === "replace" && r.replacePaths.length > 0) tags.push(`forced by ${r.replacePaths.map(codeSpan).join(", ")}`);
  else if (r.reason) tags.push(reasonText(r.reason));
  if (r.action === "create-forget") tags.push("create, then forget the old object");
  const line = `- ${codeSpan(r.address)}${tags.length > 0 ? ` (${tags.join("; ")})` : ""}`;
  const detail = r.attributes.map((a) => `  - ${codeSpan(a.path)}: ${markdownDisplay(a.before)} → ${markdownDisplay(a.after)}${a.forcesReplacement ? " **forces replacement**" : ""}`);
  if (r.omittedAttributes > 0) detail.push(`  - … ${plural(r.omittedAttributes, "more attribute")}`);
  return { line, detail: detail.join("\n") };
}

function outputItem(o: OutputReview): SectionItem {
  const verb = o.action === "create" ? "new" : o.action === "delete" ? "removed" : "changed";
  return { line: `- ${codeSpan(o.name)} (${verb})`, detail: `  - ${markdownDisplay(o.before)} → ${markdownDisplay(o.after)}` };
}

/**
 * A review's display value (see AttributeChange) as markdown. Placeholders stay plain italics so they
 * cannot be mistaken for a literal string value.
 */
export function markdownDisplay(display: string): string {
  if (display === SENSITIVE || display === UNKNOWN) return `_${display}_`;
  if (display.endsWith(` ${UNKNOWN}`)) return `${codeSpan(display.slice(0, -UNKNOWN.length - 1))} _(partly ${UNKNOWN.slice(1)}_`;
  return codeSpan(display);
}

function reasonText(reason: string): string {
  // Terraform's action_reason values are snake_case identifiers; say them in words.
  return reason.replace(/^(replace|delete|read)_because_/, "$1: ").replace(/_/g, " ");
}

const countsSchema = z.object({
  add: z.number(),
  change: z.number(),
  destroy: z.number(),
  import: z.number(),
  replace: z.number(),
  read: z.number(),
  forget: z.number(),
  outputChanges: z.number(),
  noChanges: z.boolean(),
  errored: z.boolean(),
});

const sectionSchema = z.object({
  format: z.literal(SECTION_FORMAT),
  stack: z.string(),
  status: z.enum(["changes", "no-changes", "error", "blocked", "pending"]),
  counts: countsSchema.nullable(),
  planLine: z.string().nullable(),
  fingerprint: z.string().regex(FINGERPRINT_PATTERN).nullable(),
  head: z.string(),
  brief: z.string(),
  groups: z.array(z.object({ title: z.string(), items: z.array(z.object({ line: z.string(), detail: z.string() })) })),
});

/** Reads a section file: one section or an array of them (one plan job may plan several stacks). */
export function parseSections(text: string, source: string): StackSection[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const result = z.union([sectionSchema, z.array(sectionSchema)]).safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`${source}: not a ${SECTION_FORMAT} section: ${issue ? `${issue.path.join(".") || "document"}: ${issue.message}` : "invalid"}`);
  }
  const sections = Array.isArray(result.data) ? result.data : [result.data];
  for (const s of sections) assertStackName(s.stack, source);
  return sections;
}
