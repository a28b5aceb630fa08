// Public exports of the guardrails (policy as code).
export { githubRepository } from "./github-repository";
export { Policy, POLICY_DEFAULTS, POLICY_RULES, POL001, POL002, type PolicyOptions } from "./policy";
export {
  findingMessage,
  formatFinding,
  formatPolicyReport,
  formatSummaryLine,
  PolicyReport,
  type FindingStatus,
  type PolicyFinding,
  type PolicyReportJson,
  type PolicySummary,
} from "./report";
export type { PolicyRule, RuleContext, Severity, Violation } from "./rule";
export * from "./kubernetes-versions";
export * from "./rules";
