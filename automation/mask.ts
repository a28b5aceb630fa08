// Masks credentials in Terraform's error output before it reaches a PR comment, an issue, a job
// summary or a log line. Providers echo request values in their errors (S3's SignatureDoesNotMatch
// body names the access key id, Helm repeats repository URLs with their passwords, an `external`
// program prints what it likes), and the configuration comes from the pull request under review.
import { UsageError } from "./errors";
import type { JsonValue, PlanJson } from "./plan/plan-json";

export const MASKED = "***";

/** Replaces every secret it recognises in `text`; multi-line blocks are masked whole. */
export type Mask = (text: string) => string;

export const MASKS_VARIABLE = "GITOPS_MASKS";

interface Rule {
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

/**
 * Shapes of credentials, each replaced by `***` with enough context kept to read the error:
 * - AWS access key ids (AKIA long-term, ASIA temporary, and the other documented unique-id prefixes);
 * - AWS secret access keys: 40 characters of base64 with both cases (hex digests, which are
 *   lower-case only, are left alone);
 * - PEM private key blocks, also when cut off;
 * - `Bearer`/`Basic` authorisation values, `password=`/`token:`-style assignments, JWTs, GitHub tokens;
 * - the user-info part of URLs (`https://user:pass@host`, `https://token@host`).
 */
const BUILT_IN: readonly Rule[] = [
  {
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: (_m, kind) => `-----BEGIN ${kind}PRIVATE KEY----- ${MASKED} -----END ${kind}PRIVATE KEY-----`,
  },
  { pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g, replace: () => MASKED },
  {
    pattern: /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    replace: (m) => (/[a-z]/.test(m) && /[A-Z]/.test(m) ? MASKED : m),
  },
  { pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g, replace: () => MASKED },
  { pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g, replace: () => MASKED },
  { pattern: /\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi, replace: (_m, word, sep) => `${word}${sep}${MASKED}` },
  {
    // `password=...`, `"token": "..."`, `secret_access_key: ...`: a value right after a credential's name.
    pattern: /\b((?:[A-Za-z]+[_-])*(?:token|password|passwd|secret)(?:[_-][A-Za-z]+)*)(["']?\s*[:=]\s*["']?)[^\s"',;&]{4,}/gi,
    replace: (_m, word, sep) => `${word}${sep}${MASKED}`,
  },
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, replace: (_m, scheme) => `${scheme}${MASKED}@` },
];

/** Values shorter than this are not masked on their own: "true" or "80" would blank out whole errors. */
const MIN_VALUE_LENGTH = 6;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * GITOPS_MASKS: one regular expression per line (blank lines ignored). A bad expression is a usage
 * error that names the line but never repeats it: the pattern itself may contain a secret.
 */
export function parseMaskPatterns(text: string | undefined): RegExp[] {
  if (text === undefined) return [];
  const patterns: RegExp[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      patterns.push(new RegExp(line, "g"));
    } catch {
      throw new UsageError(`${MASKS_VARIABLE}: line ${index + 1} is not a valid regular expression (the pattern is not shown: it may be secret)`);
    }
  });
  return patterns;
}

/** A mask with the built-in shapes, extra patterns and literal values (e.g. a plan's sensitive values). */
export function createMask(extraPatterns: readonly RegExp[] = [], values: readonly string[] = []): Mask {
  const literals = [...new Set(values.filter((v) => v.length >= MIN_VALUE_LENGTH))].sort((a, b) => b.length - a.length);
  const rules: Rule[] = [
    // Literal values first, longest first: a sensitive value may itself look like nothing special.
    ...(literals.length > 0 ? [{ pattern: new RegExp(literals.map(escapeRegExp).join("|"), "g"), replace: () => MASKED }] : []),
    ...BUILT_IN,
    ...extraPatterns.map((pattern) => ({ pattern: new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`), replace: () => MASKED })),
  ];
  return (text) => rules.reduce((out, rule) => out.replace(rule.pattern, rule.replace as (m: string, ...g: string[]) => string), text);
}

/**
 * A mask for text that arrives one line at a time (Terraform's streamed output): a private key block
 * is cut into lines, so every line from its BEGIN to its END is replaced.
 */
export function createLineMask(mask: Mask): Mask {
  let inKeyBlock = false;
  return (line) => {
    if (inKeyBlock) {
      if (/-----END [A-Z0-9 ]*PRIVATE KEY-----/.test(line)) inKeyBlock = false;
      return MASKED;
    }
    const begin = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.exec(line);
    if (begin && !/-----END [A-Z0-9 ]*PRIVATE KEY-----/.test(line)) {
      inKeyBlock = true;
      // The header says what kind of secret this was; anything after it on the line is key material.
      return `${mask(line.slice(0, begin.index))}${begin[0]}`;
    }
    return mask(line);
  };
}

/** The mask every Terraform-running command uses: built-in shapes plus GITOPS_MASKS. */
export function maskFromEnv(env: Readonly<Record<string, string | undefined>>): Mask {
  return createMask(parseMaskPatterns(env[MASKS_VARIABLE]));
}

function collectSensitive(value: JsonValue | undefined, mark: JsonValue | undefined, into: Set<string>): void {
  if (value === undefined || value === null) return;
  if (mark === true) {
    if (typeof value === "string") into.add(value);
    else if (typeof value === "object") for (const v of Object.values(value)) collectSensitive(v, true, into);
    return;
  }
  if (mark === null || typeof mark !== "object" || typeof value !== "object") return;
  if (Array.isArray(value)) value.forEach((v, i) => collectSensitive(v, Array.isArray(mark) ? mark[i] : undefined, into));
  else for (const [k, v] of Object.entries(value)) collectSensitive(v, Array.isArray(mark) ? undefined : mark[k], into);
}

/** Every string value the plan marks sensitive, on either side of any resource or output change. */
export function sensitiveValuesOf(plan: PlanJson): string[] {
  const found = new Set<string>();
  const changes = [...(plan.resource_changes ?? []).map((r) => r.change), ...Object.values(plan.output_changes ?? {})];
  for (const change of changes) {
    collectSensitive(change.before, change.before_sensitive, found);
    collectSensitive(change.after, change.after_sensitive, found);
  }
  return [...found];
}
