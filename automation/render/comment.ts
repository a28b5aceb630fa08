// Assembles stack sections into one PR comment that fits GitHub's size limit.
import { UsageError } from "../errors";
import { FINGERPRINT_PATTERN } from "../plan/fingerprint";
import { formatNumber, htmlText, plainText, plural } from "./markdown";
import type { StackSection } from "./section";

/** GitHub rejects issue comment bodies longer than this. */
export const GITHUB_COMMENT_LIMIT = 65536;

export interface CommentOptions {
  /** Names the sticky comment; becomes part of the hidden marker. @default "plan" */
  readonly key?: string;
  /** @default "Terraform plan" */
  readonly title?: string;
  /** @default GITHUB_COMMENT_LIMIT */
  readonly maxChars?: number;
  /** The command named in the marker: `plan` comments are what apply reads fingerprints from. @default "plan" */
  readonly command?: "plan" | "apply";
  /** Markdown placed after the overall line and always kept (e.g. apply's results). */
  readonly intro?: string;
  /**
   * End with the machine-readable fingerprints marker. Off for comments whose plans were not
   * reviewed yet (apply's fresh plans), so they can never be mistaken for approval.
   * @default true
   */
  readonly fingerprintsMarker?: boolean;
}

/** Which commit a plan or apply comment is about, and the run that made it. */
export interface RunSource {
  /** Plans: the pull request's head commit. Applies: the commit of main being applied. */
  readonly commit?: string | undefined;
  /** The workflow run whose logs hold the full output. */
  readonly runUrl?: string | undefined;
}

const COMMIT = /^[0-9a-f]{7,40}$/;
const RUN_URL = /^https:\/\/[A-Za-z0-9.-]+(?::\d+)?\/[A-Za-z0-9._~/-]+$/;

/**
 * "Planned for commit `0123456789ab` merged into its base · [workflow run](url)": readers see at a
 * glance whether the comment is about the commit they are looking at. Both values come from the
 * workflow; they are checked anyway (before any work), since they end up in markdown.
 */
export function runSourceLine(source: RunSource, kind: "plan" | "apply"): string {
  const parts: string[] = [];
  if (source.commit !== undefined) {
    if (!COMMIT.test(source.commit)) throw new UsageError(`--commit ${JSON.stringify(source.commit)}: expected a commit SHA (7 to 40 lowercase hex digits)`);
    const short = `\`${source.commit.slice(0, 12)}\``;
    parts.push(kind === "plan" ? `Planned for commit ${short} merged into its base` : `Commit ${short}`);
  }
  if (source.runUrl !== undefined) {
    if (!RUN_URL.test(source.runUrl)) throw new UsageError(`--run-url ${JSON.stringify(source.runUrl)}: expected an https URL of a workflow run`);
    parts.push(`[workflow run${kind === "plan" ? " with the full plans" : ""}](${source.runUrl})`);
  }
  return parts.join(" · ");
}

export function commentMarker(key: string, command: "plan" | "apply" = "plan"): string {
  return `<!-- gitops:${command} key=${key} -->`;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertCommentKey(key: string): void {
  if (!KEY.test(key)) throw new UsageError(`--key ${JSON.stringify(key)}: use letters, digits, ".", "_" or "-" (at most 64)`);
}

/** `<!-- gitops:fingerprints {...} -->`, read back by apply; `>` is escaped so the JSON cannot end the comment. */
export function fingerprintsMarker(sections: readonly StackSection[]): string {
  const map: Record<string, string> = {};
  for (const s of sections) if (s.fingerprint) map[s.stack] = s.fingerprint;
  return `<!-- gitops:fingerprints ${JSON.stringify(map).replace(/>/g, "\\u003e")} -->`;
}

/**
 * Reads the fingerprints marker of a rendered comment (what apply compares against). Only the last
 * line counts: everything above it is rendered from plans and terraform output, which an author of
 * the change can influence, so a marker-like line there must never be read as approval.
 */
export function readFingerprints(body: string): Record<string, string> | null {
  const match = /(?:^|\n)<!-- gitops:fingerprints (\{[^\n]*\}) -->\n*$/.exec(body);
  if (!match?.[1]) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(match[1]);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (!entries.every(([, v]) => typeof v === "string" && FINGERPRINT_PATTERN.test(v))) return null;
  return Object.fromEntries(entries) as Record<string, string>;
}

/** How much of one section is shown. */
interface Layout {
  mode: "full" | "brief";
  withDetails: boolean;
  /** Items shown, in group order; the rest are counted as omitted. */
  maxItems: number;
}

export function renderPlanComment(sections: readonly StackSection[], options: CommentOptions = {}): string {
  const key = options.key ?? "plan";
  assertCommentKey(key);
  const maxChars = options.maxChars ?? GITHUB_COMMENT_LIMIT;
  const seen = new Set<string>();
  for (const s of sections) {
    if (seen.has(s.stack)) throw new UsageError(`stack ${JSON.stringify(s.stack)} given twice`);
    seen.add(s.stack);
  }

  const top = [commentMarker(key, options.command), `## ${plainText(options.title ?? "Terraform plan")}`, ...(options.command === "apply" ? [] : [overallLine(sections)]), ...(options.intro ? [options.intro] : [])].join("\n\n");
  const bottom = options.fingerprintsMarker === false ? "" : fingerprintsMarker(sections);
  const layouts: Layout[] = sections.map(() => ({ mode: "full", withDetails: true, maxItems: Number.POSITIVE_INFINITY }));
  const rendered = sections.map((s, i) => renderSection(s, layouts[i]!));
  // Room for the omission note, whose length depends on what is omitted.
  const NOTE_RESERVE = 400;
  const total = (): number => top.length + bottom.length + rendered.reduce((n, r) => n + r.length + 2, 0) + 4;
  const fits = (reserve: number): boolean => total() + reserve <= maxChars;
  const update = (i: number): void => {
    rendered[i] = renderSection(sections[i]!, layouts[i]!);
  };
  const bySizeDesc = (): number[] => rendered.map((r, i) => [r.length, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => i);

  if (!fits(0)) {
    // 1. Attribute lines, largest stacks first.
    for (const i of bySizeDesc()) {
      if (fits(NOTE_RESERVE)) break;
      if (sections[i]!.groups.some((g) => g.items.some((it) => it.detail !== ""))) {
        layouts[i]!.withDetails = false;
        update(i);
      }
    }
    // 2. Resource lists, largest stacks first, cut from the end (least dangerous groups go first).
    while (!fits(NOTE_RESERVE)) {
      const i = bySizeDesc().find((j) => shownItems(sections[j]!, layouts[j]!) > 0);
      if (i === undefined) break;
      const layout = layouts[i]!;
      const items = sections[i]!.groups.flatMap((g) => g.items);
      let shown = shownItems(sections[i]!, layout);
      let excess = total() + NOTE_RESERVE - maxChars;
      while (shown > 0 && excess > 0) {
        shown--;
        excess -= items[shown]!.line.length + 1;
      }
      layout.maxItems = shown;
      update(i);
    }
    // 3. Heads of the largest stacks: status, Plan line and a shortened error only.
    for (const i of bySizeDesc()) {
      if (fits(NOTE_RESERVE)) break;
      layouts[i]!.mode = "brief";
      update(i);
    }
    if (!fits(NOTE_RESERVE)) {
      throw new UsageError(`--max-chars ${formatNumber(maxChars)} is too small for ${plural(sections.length, "stack")}: even their status lines need ${formatNumber(total() + NOTE_RESERVE)} characters`);
    }
  }

  const note = omissionNote(sections, layouts, maxChars);
  return [top, ...rendered, ...(note ? [note] : []), ...(bottom ? [bottom] : [])].join("\n\n") + "\n";
}

function overallLine(sections: readonly StackSection[]): string {
  if (sections.length === 0) return "No stacks were planned.";
  const changes = sections.filter((s) => s.status === "changes").length;
  const none = sections.filter((s) => s.status === "no-changes").length;
  const errors = sections.filter((s) => s.status === "error").length;
  const blocked = sections.filter((s) => s.status === "blocked").length;
  const pending = sections.filter((s) => s.status === "pending").length;
  const parts = [`${formatNumber(changes)} with changes`, `${formatNumber(none)} without changes`];
  if (errors > 0) parts.push(`**${plural(errors, "error")}**`);
  if (blocked > 0) parts.push(`**${formatNumber(blocked)} blocked**`);
  if (pending > 0) parts.push(`${formatNumber(pending)} pending`);
  return `${plural(sections.length, "stack")} planned: ${parts.join(", ")}.`;
}

function itemCount(section: StackSection): number {
  return section.groups.reduce((n, g) => n + g.items.length, 0);
}

function shownItems(section: StackSection, layout: Layout): number {
  return Math.min(itemCount(section), layout.maxItems);
}

function renderSection(section: StackSection, layout: Layout): string {
  const head = layout.mode === "brief" ? section.brief : section.head;
  const total = itemCount(section);
  if (total === 0 || layout.mode === "brief") {
    return total > 0 ? `${head}\n\n_${plural(total, "change")} not listed (comment size limit)._` : head;
  }
  const body: string[] = [];
  let budget = layout.maxItems;
  for (const group of section.groups) {
    if (budget <= 0) break;
    const items = group.items.slice(0, budget);
    budget -= items.length;
    const lines = items.map((it) => (layout.withDetails && it.detail !== "" ? `${it.line}\n${it.detail}` : it.line));
    body.push(`**${group.title}** (${formatNumber(group.items.length)})\n\n${lines.join("\n")}`);
  }
  const omitted = total - Math.min(total, layout.maxItems);
  if (omitted > 0) body.push(`_… ${plural(omitted, "more change")} not listed (comment size limit)._`);
  else if (!layout.withDetails && section.groups.some((g) => g.items.some((it) => it.detail !== ""))) {
    body.push("_Attribute details omitted (comment size limit)._");
  }
  const summary = `${plural(total, "change")} in ${section.stack}`;
  // Blank lines after <summary> and before </details> let GitHub render the markdown inside.
  return `${head}\n\n<details><summary>${htmlText(summary)}</summary>\n\n${body.join("\n\n")}\n\n</details>`;
}

function omissionNote(sections: readonly StackSection[], layouts: readonly Layout[], maxChars: number): string | null {
  let noDetails = 0;
  let omittedItems = 0;
  let brief = 0;
  sections.forEach((s, i) => {
    const layout = layouts[i]!;
    const hasDetails = s.groups.some((g) => g.items.some((it) => it.detail !== ""));
    if (layout.mode === "brief") brief++;
    if (hasDetails && (!layout.withDetails || layout.mode === "brief")) noDetails++;
    omittedItems += layout.mode === "brief" ? itemCount(s) : itemCount(s) - shownItems(s, layout);
  });
  if (noDetails === 0 && omittedItems === 0 && brief === 0) return null;
  const parts: string[] = [];
  if (noDetails > 0) parts.push(`attribute details of ${plural(noDetails, "stack")}`);
  if (omittedItems > 0) parts.push(`${plural(omittedItems, "resource or output line")}`);
  if (brief > 0) parts.push(`warnings and full error output of ${plural(brief, "stack")}`);
  return `---\n\n> [!NOTE]\n> Shortened to fit ${formatNumber(maxChars)} characters: omitted ${parts.join(", ")}. Every stack's status, Plan line and fingerprint are complete; run \`npm run diff\` or read the plan job's log for the rest.`;
}
