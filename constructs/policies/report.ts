// What the guardrails found in one synth: counts, findings, and their text and JSON forms. The same
// report feeds `npm run synth`, `npm run policy -- --format json` and the tests.
import type { PolicyRule, Severity } from "./rule";

export type FindingStatus = "error" | "warning" | "waived";

export interface PolicyFinding {
  readonly rule: string;
  /** Severity of the finding (a rule may be stricter in production). */
  readonly severity: Severity;
  /** `waived` when a waiver with a reason covers it; it then neither fails nor warns. */
  readonly status: FindingStatus;
  readonly stack: string;
  /** Construct path, e.g. staging-cluster/eks/cluster. */
  readonly path: string;
  readonly problem: string;
  readonly fix: string;
  readonly checkov: readonly string[];
  /** The waiver's reason, for waived findings. */
  readonly reason?: string;
}

export interface PolicySummary {
  /** Rules in force. */
  readonly rules: number;
  /** Rule × element evaluations. */
  readonly checks: number;
  /** Evaluations without any finding. */
  readonly passed: number;
  readonly warnings: number;
  readonly waived: number;
  readonly errors: number;
}

export interface PolicyReportJson {
  readonly summary: PolicySummary;
  readonly rules: readonly { readonly id: string; readonly title: string; readonly severity: Severity; readonly checkov: readonly string[] }[];
  readonly findings: readonly PolicyFinding[];
}

const STATUS_ORDER: Record<FindingStatus, number> = { error: 0, warning: 1, waived: 2 };

export class PolicyReport {
  private checks = 0;
  private passed = 0;
  private readonly list: PolicyFinding[] = [];

  constructor(readonly rules: readonly PolicyRule[]) {}

  /** Records one evaluation of a rule on an element and what it found. */
  recordCheck(findings: readonly PolicyFinding[]): void {
    this.checks += 1;
    if (findings.length === 0) this.passed += 1;
    this.list.push(...findings);
  }

  get findings(): readonly PolicyFinding[] {
    return [...this.list].sort(
      (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.path.localeCompare(b.path) || a.rule.localeCompare(b.rule),
    );
  }

  get summary(): PolicySummary {
    const count = (status: FindingStatus) => this.list.filter((f) => f.status === status).length;
    return { rules: this.rules.length, checks: this.checks, passed: this.passed, warnings: count("warning"), waived: count("waived"), errors: count("error") };
  }

  get hasErrors(): boolean {
    return this.list.some((f) => f.status === "error");
  }

  toJSON(): PolicyReportJson {
    return {
      summary: this.summary,
      rules: this.rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, checkov: r.checkov })),
      findings: this.findings,
    };
  }
}

/** `EKS001 staging-cluster/eks/cluster: <problem>; fix: <fix> [CKV_AWS_58]`: the annotation text. */
export function findingMessage(f: PolicyFinding): string {
  const checkov = f.checkov.length ? ` [${f.checkov.join(", ")}]` : "";
  return `${f.rule} ${f.path}: ${f.problem}; fix: ${f.fix}${checkov}`;
}

export function formatFinding(f: PolicyFinding): string {
  if (f.status === "waived") return `WAIVED ${f.rule} ${f.path}: ${f.reason ?? ""} (was: ${f.problem})`;
  return `${f.status === "error" ? "ERROR" : "WARN "} ${findingMessage(f)}`;
}

export function formatSummaryLine(s: PolicySummary): string {
  return `policy: ${s.rules} rules, ${s.checks} checks: ${s.passed} passed, ${s.warnings} warnings, ${s.waived} waived, ${s.errors} errors`;
}

/**
 * The report as text. `errors: false` leaves error lines out, for callers that already list them
 * (synth prints errors from the manifest's annotations).
 */
export function formatPolicyReport(report: PolicyReport, options: { readonly errors?: boolean } = {}): string {
  const lines = report.findings.filter((f) => options.errors !== false || f.status !== "error").map(formatFinding);
  return [...lines, formatSummaryLine(report.summary)].join("\n");
}
