// IAM guardrails: no administrator-equivalent statements, no unconstrained service wildcards, no
// privilege escalation, credential or data reads on every resource, and GitHub OIDC trust that names
// this repository.
import type { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { TerraformElement } from "cdktf";
import { elementKind, type PolicyRule, type StackIndex, type Violation } from "../rule";
import { CREDENTIALS_EXPOSURE_ACTIONS, DATA_EXFILTRATION_ACTIONS, PRIVILEGE_ESCALATION_PATHS } from "./iam-risky-actions";
import { statementsOf, statementsOfDocument, type PolicyStatement } from "./policy-documents";

const POLICY_RESOURCES = ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"];

/** Permission statements written at this element: a policy document data source, a policy resource, a role's inline policies. */
function permissionStatements(element: TerraformElement, index: StackIndex): PolicyStatement[] {
  const kind = elementKind(element);
  if (kind === "data.aws_iam_policy_document") return statementsOfDocument(element);
  if (kind === "aws_iam_role") {
    const inline = (element as IamRole).inlinePolicyInput;
    return (Array.isArray(inline) ? inline : []).flatMap((p) => statementsOf(p.policy, element, index));
  }
  return statementsOf((element as IamPolicy).policyInput, element, index);
}

const isAnyAction = (a: string) => a === "*" || a === "*:*";

export const IAM001: PolicyRule = {
  id: "IAM001",
  title: 'No IAM statement allows action "*" on resource "*"',
  severity: "error",
  checkov: ["CKV_AWS_1", "CKV_AWS_62", "CKV_AWS_63"],
  appliesTo: ["data.aws_iam_policy_document", "aws_iam_role", ...POLICY_RESOURCES],
  check(element, { index }) {
    const admin = permissionStatements(element, index).filter(
      (s) => s.effect === "Allow" && s.actions.some(isAnyAction) && s.resources.includes("*"),
    );
    return admin.length === 0
      ? []
      : [{ problem: 'a statement allows every action on every resource (administrator access)', fix: "list the actions and resource ARNs the principal needs" }];
  },
};

export const IAM003: PolicyRule = {
  id: "IAM003",
  title: 'IAM statements do not allow a whole service ("ec2:*") on resource "*"',
  severity: "warning",
  checkov: ["CKV_AWS_289", "CKV_AWS_290"],
  appliesTo: ["data.aws_iam_policy_document", "aws_iam_role", ...POLICY_RESOURCES],
  check(element, { index }) {
    const broad = permissionStatements(element, index)
      .filter((s) => s.effect === "Allow" && s.resources.includes("*"))
      .flatMap((s) => s.actions.filter((a) => /^[a-z0-9-]+:\*$/i.test(a) && !isAnyAction(a)));
    return broad.length === 0
      ? []
      : [{ problem: `${[...new Set(broad)].join(", ")} allowed on resource "*"`, fix: "name the actions, or scope Resource to ARNs or add conditions (e.g. aws:RequestedRegion, tags)" }];
  },
};

/** `iam:Put*`, `iam:*` or `s3:GetObject` as a case-insensitive matcher (IAM compares actions case-insensitively). */
function actionPattern(pattern: string): RegExp {
  const body = pattern
    .split(/([*?])/)
    .map((part) => (part === "*" ? ".*" : part === "?" ? "." : part.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}

/**
 * Which of `actions` the statements allow on resource "*", as checkov's cloudsplaining checks read a
 * policy (conditions do not count as a constraint). Two differences, both deliberate: a Deny on "*"
 * without conditions takes an action away, and statements granting every action ("*") are left to
 * IAM001, which already fails the synth on them, so an administrator statement is not reported four times.
 */
function allowedOnEveryResource(statements: readonly PolicyStatement[], actions: readonly string[]): string[] {
  const unscoped = statements.filter((s) => s.resources.includes("*"));
  const patterns = (effect: "Allow" | "Deny") =>
    unscoped
      .filter((s) => s.effect === effect && (effect === "Allow" || s.conditions.length === 0))
      .flatMap((s) => s.actions)
      .filter((a) => effect === "Deny" || !isAnyAction(a))
      .map(actionPattern);
  const allowed = patterns("Allow");
  if (allowed.length === 0) return [];
  const denied = patterns("Deny");
  return actions.filter((a) => allowed.some((p) => p.test(a)) && !denied.some((p) => p.test(a)));
}

/** At most three items and a count of the rest, so the finding stays one readable line. */
const summarize = (items: readonly string[]) => (items.length <= 3 ? items.join(", ") : `${items.slice(0, 3).join(", ")} and ${items.length - 3} more`);

/** Every action that appears on some escalation path, computed once rather than per checked element. */
const ESCALATION_ACTIONS: readonly string[] = [...new Set(Object.values(PRIVILEGE_ESCALATION_PATHS).flat())];

export const IAM004: PolicyRule = {
  id: "IAM004",
  title: 'IAM statements do not allow privilege escalation (e.g. iam:PutRolePolicy, iam:PassRole with ec2:RunInstances) on resource "*"',
  severity: "warning",
  checkov: ["CKV_AWS_286", "CKV_AWS_110"],
  appliesTo: ["data.aws_iam_policy_document", "aws_iam_role", ...POLICY_RESOURCES],
  check(element, { index }) {
    const statements = permissionStatements(element, index);
    const allowed = new Set(allowedOnEveryResource(statements, ESCALATION_ACTIONS));
    const paths = Object.values(PRIVILEGE_ESCALATION_PATHS)
      .filter((needed) => needed.every((a) => allowed.has(a)))
      .map((needed) => needed.join(" + "));
    return paths.length === 0
      ? []
      : [{ problem: `allows privilege escalation on resource "*": ${summarize(paths)}`, fix: "scope Resource to the ARNs of the roles, users and policies it must manage (for iam:PassRole, the roles it hands out), or drop the actions" }];
  },
};

export const IAM005: PolicyRule = {
  id: "IAM005",
  title: 'IAM statements do not allow actions that return credentials (e.g. sts:AssumeRole, iam:CreateAccessKey) on resource "*"',
  severity: "warning",
  checkov: ["CKV_AWS_287", "CKV_AWS_107"],
  appliesTo: ["data.aws_iam_policy_document", "aws_iam_role", ...POLICY_RESOURCES],
  check(element, { index }) {
    const exposed = allowedOnEveryResource(permissionStatements(element, index), CREDENTIALS_EXPOSURE_ACTIONS);
    return exposed.length === 0
      ? []
      : [{ problem: `allows actions that return credentials on resource "*": ${summarize(exposed)}`, fix: "scope Resource to the roles, users or resources whose credentials are needed, or drop the actions" }];
  },
};

export const IAM006: PolicyRule = {
  id: "IAM006",
  title: 'IAM statements do not allow reading data or secrets (s3:GetObject, ssm:GetParameter*, secretsmanager:GetSecretValue) on resource "*"',
  severity: "warning",
  checkov: ["CKV_AWS_288", "CKV_AWS_108"],
  appliesTo: ["data.aws_iam_policy_document", "aws_iam_role", ...POLICY_RESOURCES],
  check(element, { index }) {
    const reads = allowedOnEveryResource(permissionStatements(element, index), DATA_EXFILTRATION_ACTIONS);
    return reads.length === 0
      ? []
      : [{ problem: `allows data exfiltration on resource "*": ${summarize(reads)}`, fix: "scope Resource to the bucket objects, parameters or secrets it reads (e.g. arn:aws:s3:::bucket/prefix/*)" }];
  },
};

const GITHUB_ISSUER = "token.actions.githubusercontent.com";
const SUB = `${GITHUB_ISSUER}:sub`;
/** `repo:OWNER/REPO:...` with no wildcard in owner or repository. */
const PINNED_SUB = /^repo:([^/:*?]+)\/([^/:*?]+):.+$/;

function trustsGithub(statement: PolicyStatement, index: StackIndex): boolean {
  if (!statement.actions.includes("sts:AssumeRoleWithWebIdentity")) return false;
  if (statement.conditions.some((c) => c.variable.startsWith(`${GITHUB_ISSUER}:`))) return true;
  const federated = statement.principals.filter((p) => p.type === "Federated").flatMap((p) => p.identifiers);
  if (federated.some((id) => id.includes(GITHUB_ISSUER))) return true;
  const providers = index.referencedBy(federated, "aws_iam_openid_connect_provider") as IamOpenidConnectProvider[];
  return providers.some((p) => (p.urlInput ?? "").includes(GITHUB_ISSUER));
}

function subProblems(statement: PolicyStatement, repositories: readonly string[]): Violation[] {
  const subs = statement.conditions.filter((c) => c.variable === SUB && /^String(Equals|Like)$/.test(c.test)).flatMap((c) => c.values);
  const expected = repositories.length ? repositories.join(" or ") : "this repository";
  if (subs.length === 0) {
    return [{ problem: `GitHub OIDC trust has no ${SUB} condition: any repository on GitHub can assume the role`, fix: `add StringEquals/StringLike ${SUB} = "repo:${repositories[0] ?? "OWNER/REPO"}:<ref, environment or pull_request>"` }];
  }
  return subs.flatMap((sub): Violation[] => {
    const match = PINNED_SUB.exec(sub);
    if (!match) return [{ problem: `${SUB} "${sub}" does not pin one repository`, fix: `use "repo:${repositories[0] ?? "OWNER/REPO"}:..." without wildcards in owner or name` }];
    const repository = `${match[1]}/${match[2]}`.toLowerCase();
    if (repositories.length && !repositories.includes(repository)) {
      return [{ problem: `${SUB} "${sub}" trusts ${repository}, not ${expected}`, fix: `name ${expected} in the condition` }];
    }
    return [];
  });
}

export const IAM002: PolicyRule = {
  id: "IAM002",
  title: "GitHub OIDC trust policies pin token.actions.githubusercontent.com:sub to this repository",
  severity: "error",
  checkov: [],
  appliesTo: ["data.aws_iam_policy_document", "aws_iam_role"],
  check(element, { index, githubRepositories }) {
    const statements =
      elementKind(element) === "aws_iam_role" ? statementsOf((element as IamRole).assumeRolePolicyInput, element, index) : statementsOfDocument(element);
    return statements.filter((s) => s.effect === "Allow" && trustsGithub(s, index)).flatMap((s) => subProblems(s, githubRepositories));
  },
};

export const IAM_RULES: readonly PolicyRule[] = [IAM001, IAM002, IAM003, IAM004, IAM005, IAM006];
