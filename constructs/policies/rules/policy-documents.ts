// Reads IAM policy documents the two ways this code base writes them: an aws_iam_policy_document data
// source referenced by `.json`, or a JSON string literal. Anything else (jsonencode of unknown values)
// cannot be read at synth time and yields no statements.
import type { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { TerraformElement } from "cdktf";
import { isUnresolved, type StackIndex } from "../rule";

export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

export interface PolicyStatement {
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** `{ type: "Federated", identifiers: [...] }`; `*` principals come as type "*". */
  readonly principals: readonly { readonly type: string; readonly identifiers: readonly string[] }[];
  readonly conditions: readonly PolicyCondition[];
  /** The data source the statement came from, or the resource holding the JSON. */
  readonly source: TerraformElement;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function fromDataSource(doc: DataAwsIamPolicyDocument): PolicyStatement[] {
  const statements = Array.isArray(doc.statementInput) ? doc.statementInput : [];
  return statements.map((s) => ({
    effect: s.effect === "Deny" ? "Deny" : "Allow",
    actions: list(s.actions),
    resources: list(s.resources),
    principals: (Array.isArray(s.principals) ? s.principals : []).map((p) => ({ type: p.type, identifiers: list(p.identifiers) })),
    conditions: (Array.isArray(s.condition) ? s.condition : []).map((c) => ({ test: c.test, variable: c.variable, values: list(c.values) })),
    source: doc,
  }));
}

type JsonStatement = {
  Effect?: string;
  Action?: unknown;
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

function fromJson(text: string, source: TerraformElement): PolicyStatement[] {
  let doc: { Statement?: JsonStatement | JsonStatement[] };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    return [];
  }
  const statements = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.map((s) => ({
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    actions: list(s.Action),
    resources: list(s.Resource),
    principals:
      s.Principal === "*"
        ? [{ type: "*", identifiers: ["*"] }]
        : Object.entries((s.Principal ?? {}) as Record<string, unknown>).map(([type, ids]) => ({ type, identifiers: list(ids) })),
    conditions: Object.entries(s.Condition ?? {}).flatMap(([test, byVariable]) =>
      Object.entries(byVariable).map(([variable, values]) => ({ test, variable, values: list(values) })),
    ),
    source,
  }));
}

/**
 * Statements of the policy held in `value` (a `policy`/`assumeRolePolicy` attribute of `holder`).
 * Documents written as data sources are read where they are defined, so they are not read again here.
 */
export function statementsOf(value: unknown, holder: TerraformElement, index: StackIndex, includeDataSources = false): PolicyStatement[] {
  if (typeof value === "string" && !isUnresolved(value)) return fromJson(value, holder);
  if (!includeDataSources) return [];
  return (index.referencedBy(value, "data.aws_iam_policy_document") as DataAwsIamPolicyDocument[]).flatMap(fromDataSource);
}

/** Statements of a data source document itself. */
export function statementsOfDocument(doc: TerraformElement): PolicyStatement[] {
  return fromDataSource(doc as DataAwsIamPolicyDocument);
}
