// What a guardrail is, and what it can see: the rule contract and a per-stack index of Terraform
// elements that resolves references (`${aws_subnet.x.id}`) back to the constructs they point at.
import {
  DefaultTokenResolver,
  StringConcat,
  TerraformDataSource,
  TerraformProvider,
  TerraformResource,
  Token,
  Tokenization,
  type TerraformElement,
  type TerraformStack,
} from "cdktf";

export type Severity = "error" | "warning";

/** One broken expectation, phrased for the person who has to fix it. */
export interface Violation {
  /** What is wrong, without the rule id or path (the report adds those). */
  readonly problem: string;
  /** What to change. */
  readonly fix: string;
  /** Overrides the rule's severity for this finding (e.g. stricter in production). */
  readonly severity?: Severity;
}

export interface RuleContext {
  readonly index: StackIndex;
  /** True for stacks of a production environment (stricter rules). */
  readonly production: boolean;
  /** `owner/repo` of the repositories OIDC trust policies may name (lowercase); empty: any single repository. */
  readonly githubRepositories: readonly string[];
  /** Tags every taggable AWS resource must carry. */
  readonly requiredTags: readonly string[];
}

export interface PolicyRule {
  /** Stable id: findings, waivers and docs refer to it. Never reuse a retired id. */
  readonly id: string;
  /** What the rule expects, one line (the Guardrails table). */
  readonly title: string;
  readonly severity: Severity;
  /** Equivalent checkov checks, so findings can be compared with a checkov run on cdktf.out. */
  readonly checkov: readonly string[];
  /**
   * Element kinds the rule looks at: Terraform types (`aws_eks_cluster`), data sources with a `data.`
   * prefix (`data.aws_iam_policy_document`), or a predicate for rules that span many types.
   */
  readonly appliesTo: readonly string[] | ((element: TerraformElement) => boolean);
  /** Returns nothing when the element complies. */
  check(element: TerraformElement, context: RuleContext): readonly Violation[];
}

/** The index key of an element: `aws_vpc`, `data.aws_iam_policy_document`, or undefined (not a resource). */
export function elementKind(element: unknown): string | undefined {
  if (TerraformDataSource.isTerraformDataSource(element)) return `data.${element.terraformResourceType}`;
  if (TerraformResource.isTerraformResource(element)) return element.terraformResourceType;
  return undefined;
}

export function ruleApplies(rule: PolicyRule, element: TerraformElement): boolean {
  const kind = elementKind(element);
  if (kind === undefined) return false;
  return typeof rule.appliesTo === "function" ? rule.appliesTo(element) : rule.appliesTo.includes(kind);
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());
// A Terraform reference inside a resolved expression: aws_subnet.network_private-0_A0649C48 or
// data.aws_iam_policy_document.eks_node-role-trust_1234ABCD (the address is `type.name`).
const REFERENCE = /(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)/g;

/** Every resource, data source and provider of one stack, addressable the way Terraform addresses them. */
export class StackIndex {
  private readonly byAddress = new Map<string, TerraformElement>();
  private readonly byKind = new Map<string, TerraformElement[]>();
  readonly providers: TerraformProvider[] = [];

  constructor(readonly stack: TerraformStack) {
    for (const node of stack.node.findAll()) {
      if (TerraformProvider.isTerraformProvider(node)) this.providers.push(node);
      const kind = elementKind(node);
      if (kind === undefined) continue;
      const element = node as TerraformResource | TerraformDataSource;
      this.byAddress.set(`${kind}.${element.friendlyUniqueId}`, element);
      const list = this.byKind.get(kind) ?? [];
      list.push(element);
      this.byKind.set(kind, list);
    }
  }

  /** All elements of a kind (`aws_flow_log`, `data.aws_iam_policy_document`). */
  ofKind<T extends TerraformElement>(kind: string): T[] {
    return (this.byKind.get(kind) ?? []) as T[];
  }

  /** The value with tokens turned into Terraform expressions; unresolvable values come back as they are. */
  resolve(value: unknown): unknown {
    if (value === undefined) return undefined;
    try {
      return Tokenization.resolve(value, { scope: this.stack, resolver: RESOLVER }) as unknown;
    } catch {
      return value;
    }
  }

  /** Elements of this stack the value refers to, e.g. the subnets behind a node group's `subnetIds`. */
  referencedBy(value: unknown, kind?: string): TerraformElement[] {
    const text = JSON.stringify(this.resolve(value)) ?? "";
    const found = new Set<TerraformElement>();
    for (const match of text.matchAll(REFERENCE)) {
      const element = this.byAddress.get(`${match[1] ?? ""}${match[2]}.${match[3]}`);
      if (element && (kind === undefined || elementKind(element) === kind)) found.add(element);
    }
    return [...found];
  }

  /** True when `value` is a reference to `target` (any attribute of it). */
  refersTo(value: unknown, target: TerraformElement): boolean {
    return this.referencedBy(value).includes(target);
  }
}

/** A value that is a token (unknown until apply) rather than something written in the code. */
export function isUnresolved(value: unknown): boolean {
  return Tokenization.isResolvable(value) || Token.isUnresolved(value);
}

export const WORLD_CIDRS = ["0.0.0.0/0", "::/0"] as const;

export const path = (element: TerraformElement): string => element.node.path;
