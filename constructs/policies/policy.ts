// Policy as code at synth time: an Aspect per stack runs every rule on every Terraform element,
// reports findings as construct annotations (errors fail `npm run synth`) and into one PolicyReport,
// and honours waivers that carry a reason.
import { Annotations, Aspects, TerraformElement, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { findingMessage, PolicyReport, type PolicyFinding } from "./report";
import { ruleApplies, StackIndex, type PolicyRule, type RuleContext } from "./rule";
import { RESOURCE_RULES } from "./rules";
import { githubRepository } from "./github-repository";
import { REQUIRED_TAGS } from "./rules/tags";

/** A waiver must say why; one without a reason is itself an error, and waives nothing. */
export const POL001: PolicyRule = {
  id: "POL001",
  title: "Every waiver gives a reason",
  severity: "error",
  checkov: [],
  appliesTo: [],
  check: () => [],
};

/** A waiver of a rule that does not exist is a typo that would silently waive nothing. */
export const POL002: PolicyRule = {
  id: "POL002",
  title: "Every waiver names an existing rule",
  severity: "error",
  checkov: [],
  appliesTo: [],
  check: () => [],
};

/** Every rule, in the order of the Guardrails table. */
export const POLICY_RULES: readonly PolicyRule[] = [...RESOURCE_RULES, POL001, POL002];

export interface PolicyOptions {
  /** Stacks of production environments, by id; some rules are stricter there. @default /^prod(uction)?-/ */
  readonly productionStacks?: RegExp;
  /**
   * Repositories GitHub OIDC roles may trust, as Git URLs or `owner/repo`; non-GitHub URLs are
   * ignored. @default [] (any single, fully named repository)
   */
  readonly githubRepositories?: readonly string[];
  /** @default ["project", "env"] */
  readonly requiredTags?: readonly string[];
  /** Only these rule ids run (tests check one rule at a time). @default every rule */
  readonly only?: readonly string[];
}

export const POLICY_DEFAULTS: Required<Omit<PolicyOptions, "only">> = {
  productionStacks: /^prod(uction)?-/,
  githubRepositories: [],
  requiredTags: REQUIRED_TAGS,
};

interface Waiver {
  readonly ruleId: string;
  readonly reason: string;
}

const waivers = new WeakMap<IConstruct, Waiver[]>();
const reports = new WeakMap<IConstruct, PolicyReport>();

class PolicyAspect implements IAspect {
  private readonly visited = new WeakSet<IConstruct>();
  private readonly contexts = new WeakMap<TerraformStack, RuleContext>();

  constructor(
    private readonly report: PolicyReport,
    private readonly options: Required<Omit<PolicyOptions, "only">>,
  ) {}

  visit(node: IConstruct): void {
    // A second synth of the same app (tests do this) must not count or annotate twice.
    if (this.visited.has(node)) return;
    this.visited.add(node);
    const stack = TerraformStack.of(node);
    for (const waiver of waivers.get(node) ?? []) this.checkWaiver(node, stack, waiver);
    if (!TerraformElement.isTerraformElement(node)) return;
    for (const rule of this.report.rules) {
      if (!ruleApplies(rule, node)) continue;
      const violations = rule.check(node, this.contextOf(stack));
      const findings = violations.map((v): PolicyFinding => {
        const severity = v.severity ?? rule.severity;
        const reason = validWaiver(node, rule.id);
        const base = { rule: rule.id, severity, stack: stack.node.id, path: node.node.path, problem: v.problem, fix: v.fix, checkov: rule.checkov };
        return reason === undefined ? { ...base, status: severity } : { ...base, status: "waived", reason };
      });
      findings.forEach((f) => annotate(node, f));
      this.report.recordCheck(findings);
    }
  }

  private checkWaiver(node: IConstruct, stack: TerraformStack, waiver: Waiver): void {
    const base = { severity: "error" as const, status: "error" as const, stack: stack.node.id, path: node.node.path };
    const findings: PolicyFinding[] = [];
    if (!POLICY_RULES.some((r) => r.id === waiver.ruleId)) {
      findings.push({ ...base, rule: POL002.id, checkov: [], problem: `waiver of unknown rule "${waiver.ruleId}"`, fix: `use one of ${POLICY_RULES.map((r) => r.id).join(", ")}` });
    }
    if (waiver.reason.trim() === "") {
      findings.push({ ...base, rule: POL001.id, checkov: [], problem: `waiver of ${waiver.ruleId} has no reason`, fix: `Policy.waive(construct, "${waiver.ruleId}", "<why this is acceptable, and until when>")` });
    }
    findings.forEach((f) => annotate(node, f));
    this.report.recordCheck(findings);
  }

  private contextOf(stack: TerraformStack): RuleContext {
    let context = this.contexts.get(stack);
    if (!context) {
      context = {
        // Built on first use, when the whole tree exists (aspects run at synth).
        index: new StackIndex(stack),
        production: this.options.productionStacks.test(stack.node.id),
        githubRepositories: this.options.githubRepositories.map(githubRepository).filter((r): r is string => r !== undefined),
        requiredTags: this.options.requiredTags,
      };
      this.contexts.set(stack, context);
    }
    return context;
  }
}

function annotate(node: IConstruct, finding: PolicyFinding): void {
  const annotations = Annotations.of(node);
  if (finding.status === "error") annotations.addError(findingMessage(finding));
  else if (finding.status === "warning") annotations.addWarning(findingMessage(finding));
  else annotations.addInfo(`${finding.rule} ${finding.path}: waived: ${finding.reason ?? ""}`);
}

/** The reason of the nearest waiver of `ruleId` on the construct or one of its scopes, if it has one. */
function validWaiver(node: IConstruct, ruleId: string): string | undefined {
  for (const scope of [...node.node.scopes].reverse()) {
    const waiver = (waivers.get(scope) ?? []).find((w) => w.ruleId === ruleId && w.reason.trim() !== "");
    if (waiver) return waiver.reason.trim();
  }
  return undefined;
}

export class Policy {
  /**
   * Waives a rule for a construct and everything under it. The reason is printed with every synth,
   * so say why the risk is acceptable. An empty reason is reported as error POL001.
   */
  static waive(construct: IConstruct, ruleId: string, reason: string): void {
    waivers.set(construct, [...(waivers.get(construct) ?? []), { ruleId, reason }]);
  }

  /**
   * Adds the policy aspect to every stack under `scope` (an App, or one stack) and returns the report
   * it fills at synth. Call it after all stacks exist: cdktf 0.21 runs only aspects added to a stack,
   * never those added to the App.
   */
  static apply(scope: IConstruct, options: PolicyOptions = {}): PolicyReport {
    const existing = reports.get(scope);
    if (existing) return existing;
    const rules = options.only ? POLICY_RULES.filter((r) => options.only!.includes(r.id)) : POLICY_RULES;
    const report = new PolicyReport(rules);
    const aspect = new PolicyAspect(report, {
      productionStacks: options.productionStacks ?? POLICY_DEFAULTS.productionStacks,
      githubRepositories: options.githubRepositories ?? POLICY_DEFAULTS.githubRepositories,
      requiredTags: options.requiredTags ?? POLICY_DEFAULTS.requiredTags,
    });
    for (const stack of scope.node.findAll().filter(TerraformStack.isStack)) Aspects.of(stack).add(aspect);
    reports.set(scope, report);
    return report;
  }

  /** The report of `Policy.apply(scope)`, filled once the app is synthesized. */
  static reportOf(scope: IConstruct): PolicyReport | undefined {
    return reports.get(scope);
  }
}
