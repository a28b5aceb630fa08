// State guardrail: Terraform state is readable by the plan role (every pull request's plan refreshes
// it), so a secret that passes through state is readable by whoever can change a workflow. Credentials
// reach the cluster some other way (External Secrets Operator for Argo CD's repository credential).
import type { Release } from "@cdktf/provider-helm/lib/release";
import { elementKind, type PolicyRule } from "../rule";

/** Resources and data sources whose state holds a secret's value, not just its name. */
const SECRET_VALUE_TYPES: Readonly<Record<string, string>> = {
  aws_secretsmanager_secret_version: "stores the secret string",
  "data.aws_secretsmanager_secret_version": "reads the secret string",
  "data.aws_ssm_parameter": "reads the parameter's value (decrypted by default)",
  kubernetes_secret: "stores the Secret's data",
  kubernetes_secret_v1: "stores the Secret's data",
  "data.kubernetes_secret": "reads the Secret's data",
  "data.kubernetes_secret_v1": "reads the Secret's data",
};

export const STATE001: PolicyRule = {
  id: "STATE001",
  title: "No secret value passes through Terraform state (secret versions, Kubernetes Secrets, SSM parameters, Helm set_sensitive)",
  severity: "error",
  checkov: [],
  appliesTo: [...Object.keys(SECRET_VALUE_TYPES), "helm_release"],
  check(element) {
    const kind = elementKind(element);
    if (kind === "helm_release") {
      const sensitive = (element as Release).setSensitiveInput;
      return Array.isArray(sensitive) && sensitive.length > 0
        ? [{ problem: "set_sensitive puts the values into Terraform state (and the plan role reads state)", fix: "let the chart read a Secret that External Secrets Operator creates from Secrets Manager" }]
        : [];
    }
    const what = kind ? SECRET_VALUE_TYPES[kind] : undefined;
    return what
      ? [{ problem: `${kind} ${what} in Terraform state, which the plan role reads`, fix: "sync the value inside the cluster with External Secrets Operator from Secrets Manager (see constructs/argocd/repo-credentials.ts)" }]
      : [];
  },
};
