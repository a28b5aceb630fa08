// The body of an environment's drift issue: per stack, what changed outside Terraform
// (`resource_drift`) apart from what Terraform would apply now, plus errors; sized for GitHub.
//
// The body holds no timestamp or run id on purpose: it changes only when the drift changes, so a
// daily run with the same drift leaves the issue (and everyone watching it) alone.
import { UsageError } from "../errors";
import { parsePlanJson, type PlanJson } from "../plan/plan-json";
import { reviewPlan, type ResourceReview } from "../plan/review";
import type { StackPlanResult, StackPlanStatus } from "../planning";
import { GITHUB_COMMENT_LIMIT } from "./comment";
import { codeSpan, formatNumber, htmlText, plainText, plural } from "./markdown";
import { markdownDisplay, type SectionGroup, type SectionItem, type StackSection } from "./section";

export const DRIFT_LABEL = "drift";

export function driftIssueTitle(env: string): string {
  return `Drift detected in ${env}`;
}

/** Hidden first line of the issue body. */
export function driftMarker(env: string): string {
  return `<!-- gitops:drift env=${env} -->`;
}

/** Environment names end up in titles, markers and headings: keep them to what stack names allow. */
const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertEnvironmentName(env: string): void {
  if (!ENV_NAME.test(env)) throw new UsageError(`--env ${JSON.stringify(env)}: use letters, digits, ".", "_" or "-" (at most 64)`);
}

/**
 * - clean: planned without changes and nothing changed outside Terraform.
 * - drift: changed outside Terraform, or Terraform would change something (merged but not applied,
 *   or undoing the outside change), or waiting for a dependency that has such changes.
 * - error: terraform failed, or a dependency failed so the stack was not planned.
 */
export type DriftState = "clean" | "drift" | "error";

export interface StackDrift {
  readonly stack: string;
  readonly state: DriftState;
  readonly status: StackPlanStatus;
  /** From `resource_drift`, reviewed like planned changes: sensitive values are already masked. */
  readonly outside: readonly ResourceReview[];
  /** The stack's plan section: what `terraform apply` would do now, or the error. */
  readonly section: StackSection;
}

/**
 * `resource_drift` entries have the shape of `resource_changes` entries (before = state, after =
 * what the refresh found), so they get the same validation and the same sensitive-safe review.
 */
function reviewResourceDrift(plan: PlanJson, stack: string): ResourceReview[] {
  const drift = plan.resource_drift;
  if (drift === undefined || drift === null) return [];
  const asPlan = parsePlanJson(
    JSON.stringify({ format_version: plan.format_version, planned_values: {}, resource_changes: drift }),
    `${stack}: resource_drift`,
  );
  return [...reviewPlan(asPlan).resources];
}

export function stackDrift(result: StackPlanResult): StackDrift {
  const outside = result.plan ? reviewResourceDrift(result.plan, result.stack) : [];
  const state: DriftState =
    result.status === "error" || result.status === "blocked"
      ? "error"
      : result.status === "changes" || result.status === "pending" || outside.length > 0
        ? "drift"
        : "clean";
  return { stack: result.stack, state, status: result.status, outside, section: result.section };
}

export interface EnvironmentDrift {
  readonly drift: boolean;
  readonly errors: boolean;
}

export function environmentDrift(stacks: readonly StackDrift[]): EnvironmentDrift {
  return { drift: stacks.some((s) => s.state === "drift"), errors: stacks.some((s) => s.state === "error") };
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** One titled list inside a stack: changed outside Terraform, or not applied. */
/** outside: changed outside Terraform; planned: what apply would do now. */
type PartKind = "outside" | "planned";

interface Part {
  readonly kind: PartKind;
  /** Markdown always shown (title and summary lines). */
  readonly intro: string;
  readonly groups: readonly SectionGroup[];
  /** Text of the <summary> of its collapsed list. */
  readonly summary: string;
}

interface StackBlock {
  readonly head: string;
  /** What is kept when even the head does not fit: heading, counts, a short error. */
  readonly brief: string;
  readonly parts: readonly Part[];
}

interface Layout {
  brief: boolean;
  withDetails: Record<PartKind, boolean>;
  /** Items shown of each kind of part. */
  maxItems: Record<PartKind, number>;
}

const OUTSIDE_GROUPS: ReadonlyArray<{ title: string; test: (r: ResourceReview) => boolean }> = [
  { title: "Deleted", test: (r) => r.action === "delete" },
  { title: "Changed", test: (r) => r.action === "update" },
  { title: "Other actions", test: (r) => r.action !== "delete" && r.action !== "update" },
];

function outsideItem(r: ResourceReview): SectionItem {
  const kind = r.action === "delete" || r.action === "update" ? "" : ` (${plainText(r.action)})`;
  const detail = r.attributes.map((a) => `  - ${codeSpan(a.path)}: ${markdownDisplay(a.before)} → ${markdownDisplay(a.after)}`);
  if (r.omittedAttributes > 0) detail.push(`  - … ${plural(r.omittedAttributes, "more attribute")}`);
  return { line: `- ${codeSpan(r.address)}${kind}`, detail: detail.join("\n") };
}

function outsideGroups(outside: readonly ResourceReview[]): SectionGroup[] {
  return OUTSIDE_GROUPS.map((g) => ({ title: g.title, items: outside.filter(g.test).map(outsideItem) })).filter((g) => g.items.length > 0);
}

const HEADING: Record<DriftState, string> = { clean: "✅", drift: "⚠️", error: "❌" };

/**
 * The section's head without its own heading line (its first paragraph) and without the
 * fingerprint line, which only means something next to a review.
 */
function sectionBody(text: string): string {
  const cut = text.indexOf("\n\n");
  if (cut === -1) return "";
  return text
    .slice(cut + 2)
    .split("\n\n")
    .filter((paragraph) => !paragraph.startsWith("Fingerprint `"))
    .join("\n\n");
}

function stackLabel(s: StackDrift): string {
  if (s.state === "clean") return "no drift";
  if (s.status === "error") return "error";
  if (s.status === "blocked") return "blocked";
  const labels: string[] = [];
  if (s.outside.length > 0) labels.push("changed outside Terraform");
  if (s.status === "changes") labels.push("changes not applied");
  if (s.status === "pending") labels.push("pending");
  return labels.join(", ");
}

function stackBlock(s: StackDrift): StackBlock {
  const heading = `### ${HEADING[s.state]} ${codeSpan(s.stack)}: ${stackLabel(s)}`;
  if (s.state === "clean") return { head: heading, brief: heading, parts: [] };

  const head: string[] = [heading];
  const brief: string[] = [heading];
  const parts: Part[] = [];
  if (s.outside.length > 0) {
    const intro = `**Changed outside Terraform**: ${plural(s.outside.length, "resource")} no longer ${s.outside.length === 1 ? "matches" : "match"} Terraform's state.`;
    parts.push({ kind: "outside", intro, groups: outsideGroups(s.outside), summary: `${plural(s.outside.length, "resource")} changed outside Terraform in ${s.stack}` });
    brief.push(intro);
  }
  const rest = sectionBody(s.section.head);
  const restBrief = sectionBody(s.section.brief);
  if (s.state === "error") {
    // Errors (and blocked stacks' reasons) come from the section, already escaped and clipped.
    head.push(rest);
    brief.push(restBrief);
  } else if (s.status === "changes" || s.status === "pending") {
    const intro = ["**Not applied**: what `terraform apply` would do now (changes merged but not applied, or undoing the changes above).", rest].filter(Boolean).join("\n\n");
    const total = s.section.groups.reduce((n, g) => n + g.items.length, 0);
    parts.push({ kind: "planned", intro, groups: s.section.groups, summary: `${plural(total, "change")} not applied in ${s.stack}` });
    brief.push(["**Not applied**:", restBrief].filter(Boolean).join("\n\n"));
  } else {
    const line = "**Not applied**: nothing. Terraform's plan has no changes: the configuration already matches the changes above, or ignores them.";
    parts.push({ kind: "planned", intro: line, groups: [], summary: "" });
    brief.push(line);
  }
  return { head: head.filter(Boolean).join("\n\n"), brief: brief.filter(Boolean).join("\n\n"), parts };
}

function partItems(part: Part): number {
  return part.groups.reduce((n, g) => n + g.items.length, 0);
}

function itemCount(block: StackBlock, kind?: PartKind): number {
  return block.parts.filter((p) => kind === undefined || p.kind === kind).reduce((n, p) => n + partItems(p), 0);
}

function hasDetails(block: StackBlock, kind: PartKind): boolean {
  return block.parts.some((p) => p.kind === kind && p.groups.some((g) => g.items.some((it) => it.detail !== "")));
}

function renderBlock(block: StackBlock, layout: Layout): string {
  const total = itemCount(block);
  if (layout.brief) return total > 0 ? `${block.brief}\n\n_${plural(total, "resource line")} not listed (issue size limit)._` : block.brief;
  const out: string[] = [block.head];
  for (const part of block.parts) {
    out.push(part.intro);
    const partTotal = partItems(part);
    if (partTotal === 0) continue;
    const withDetails = layout.withDetails[part.kind];
    let budget = layout.maxItems[part.kind];
    const body: string[] = [];
    let shown = 0;
    for (const group of part.groups) {
      if (budget <= 0) break;
      const items = group.items.slice(0, budget);
      budget -= items.length;
      shown += items.length;
      const lines = items.map((it) => (withDetails && it.detail !== "" ? `${it.line}\n${it.detail}` : it.line));
      body.push(`**${group.title}** (${formatNumber(group.items.length)})\n\n${lines.join("\n")}`);
    }
    const omitted = partTotal - shown;
    if (shown === 0) {
      out.push(`_${plural(omitted, "resource line")} not listed (issue size limit)._`);
      continue;
    }
    if (omitted > 0) body.push(`_… ${plural(omitted, "more resource line")} not listed (issue size limit)._`);
    else if (!withDetails && part.groups.some((g) => g.items.some((it) => it.detail !== ""))) body.push("_Attribute details omitted (issue size limit)._");
    // Blank lines after <summary> and before </details> let GitHub render the markdown inside.
    out.push(`<details><summary>${htmlText(part.summary)}</summary>\n\n${body.join("\n\n")}\n\n</details>`);
  }
  return out.join("\n\n");
}

function overallLine(stacks: readonly StackDrift[]): string {
  const outside = stacks.filter((s) => s.outside.length > 0).length;
  const notApplied = stacks.filter((s) => s.state === "drift" && (s.status === "changes" || s.status === "pending")).length;
  const errors = stacks.filter((s) => s.state === "error").length;
  const clean = stacks.filter((s) => s.state === "clean").length;
  const parts = [`${formatNumber(outside)} changed outside Terraform`, `${formatNumber(notApplied)} with changes not applied`];
  if (errors > 0) parts.push(`**${formatNumber(errors)} could not be checked**`);
  parts.push(`${formatNumber(clean)} without drift`);
  return `${plural(stacks.length, "stack")} checked: ${parts.join(", ")}.`;
}

const HOW_TO_READ = [
  "> [!NOTE]",
  "> **Changed outside Terraform**: someone or something changed these resources directly (console, CLI, another tool).",
  "> **Not applied**: what `terraform apply` would do now; merged code that was not applied, or Terraform undoing the changes above.",
  "> Fix it in a pull request: change the code to match what you want to keep, or let the apply workflow restore the code's version.",
  "> This issue is updated by the scheduled drift check and closed by it once every stack is clean.",
].join("\n");

export interface DriftReportOptions {
  readonly env: string;
  /** @default GITHUB_COMMENT_LIMIT (GitHub's limit for issue bodies is the same) */
  readonly maxChars?: number;
}

export function renderDriftReport(stacks: readonly StackDrift[], options: DriftReportOptions): string {
  assertEnvironmentName(options.env);
  const maxChars = options.maxChars ?? GITHUB_COMMENT_LIMIT;
  const { drift, errors } = environmentDrift(stacks);
  const title = drift ? driftIssueTitle(options.env) : errors ? `Drift check failed in ${options.env}` : `No drift in ${options.env}`;
  const top = [driftMarker(options.env), `## ${plainText(title)}`, overallLine(stacks), HOW_TO_READ].join("\n\n");

  const blocks = stacks.map(stackBlock);
  const layouts: Layout[] = blocks.map(() => ({
    brief: false,
    withDetails: { outside: true, planned: true },
    maxItems: { outside: Number.POSITIVE_INFINITY, planned: Number.POSITIVE_INFINITY },
  }));
  const rendered = blocks.map((b, i) => renderBlock(b, layouts[i]!));
  const NOTE_RESERVE = 300;
  const total = (): number => top.length + rendered.reduce((n, r) => n + r.length + 2, 0) + 2;
  const fits = (reserve: number): boolean => total() + reserve <= maxChars;
  const update = (i: number): void => {
    rendered[i] = renderBlock(blocks[i]!, layouts[i]!);
  };
  const bySizeDesc = (): number[] => rendered.map((r, i) => [r.length, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => i);
  const shownItems = (i: number, kind: PartKind): number => Math.min(itemCount(blocks[i]!, kind), layouts[i]!.maxItems[kind]);

  if (!fits(0)) {
    // What apply would do is in the plan job's log and in the next PR's plan; what changed outside
    // Terraform is found only here. So the unapplied lists shrink first (attribute lines, then
    // resource lines), then the outside ones, then whole stacks down to their brief form; always
    // largest stacks first.
    for (const kind of ["planned", "outside"] as const) {
      for (const i of bySizeDesc()) {
        if (fits(NOTE_RESERVE)) break;
        if (hasDetails(blocks[i]!, kind)) {
          layouts[i]!.withDetails[kind] = false;
          update(i);
        }
      }
      while (!fits(NOTE_RESERVE)) {
        const i = bySizeDesc().find((j) => shownItems(j, kind) > 0);
        if (i === undefined) break;
        const items = blocks[i]!.parts.filter((p) => p.kind === kind).flatMap((p) => p.groups.flatMap((g) => g.items));
        let shown = shownItems(i, kind);
        let excess = total() + NOTE_RESERVE - maxChars;
        while (shown > 0 && excess > 0) {
          shown--;
          excess -= items[shown]!.line.length + 1;
        }
        layouts[i]!.maxItems[kind] = shown;
        update(i);
      }
    }
    for (const i of bySizeDesc()) {
      if (fits(NOTE_RESERVE)) break;
      layouts[i]!.brief = true;
      update(i);
    }
    if (!fits(NOTE_RESERVE)) throw new Error(`the drift report for ${options.env} does not fit ${formatNumber(maxChars)} characters even with only status lines`);
  }
  const shortened = layouts.some(
    (l, i) =>
      l.brief ||
      (["outside", "planned"] as const).some((kind) => (!l.withDetails[kind] && hasDetails(blocks[i]!, kind)) || shownItems(i, kind) < itemCount(blocks[i]!, kind)),
  );
  const note = shortened
    ? `---\n\n_Shortened to fit ${formatNumber(maxChars)} characters. Every stack's status is complete; the scheduled drift job's log has the full plans._`
    : null;
  return [top, ...rendered, ...(note ? [note] : [])].join("\n\n") + "\n";
}

/** The comment that closes the issue once the environment is clean. */
export function renderDriftResolved(env: string, stacks: readonly StackDrift[]): string {
  return `${driftMarker(env)}\n\nNo drift in ${codeSpan(env)} any more: ${plural(stacks.length, "stack")} planned without changes, and nothing changed outside Terraform. Closing.\n`;
}
