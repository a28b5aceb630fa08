// Credentials for a private repository, kept out of Git and out of Terraform state (the plan role can
// read state). Terraform only wires up who may fetch the credential: External Secrets Operator (ESO)
// reads it from AWS Secrets Manager with its own EKS Pod Identity and writes Argo CD's repository
// Secret in the cluster. The plan, the state and the synthesized JSON hold the secret's name, never its
// value.
//
// This file is the Kubernetes side: the ESO release here, the objects Argo CD's release carries in
// repo-credentials-values.ts. The AWS side (the Pod Identity role that may read the one secret) is
// repo-credentials-access.ts, in the cluster stack.
import { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { invalidProp } from "../errors";
import { EXTERNAL_SECRETS, externalSecretsChartValues, supportsExternalSecretsV1 } from "./repo-credentials-values";

export * from "./repo-credentials-values";

/** External Secrets Operator, installed by Helm before Argo CD so its CRDs exist for Argo CD's extraObjects. */
export class ExternalSecretsOperator extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: { chartVersion: string; argoCdNamespace: string; dependsOn?: ITerraformDependable[] }) {
    super(scope, id);
    if (!supportsExternalSecretsV1(props.chartVersion)) {
      throw invalidProp(
        "ExternalSecretsOperator",
        "chartVersion",
        props.chartVersion,
        `a pinned version ${EXTERNAL_SECRETS.oldestChartVersion} or newer (the external-secrets.io/v1 API)`,
      );
    }
    this.release = new Release(this, "release", {
      name: "external-secrets",
      namespace: EXTERNAL_SECRETS.namespace,
      createNamespace: true,
      repository: EXTERNAL_SECRETS.repository,
      chart: "external-secrets",
      version: props.chartVersion,
      values: [JSON.stringify(externalSecretsChartValues(props.argoCdNamespace))],
      atomic: true,
      cleanupOnFail: true,
      // Waits for the webhook to be ready: Argo CD's release creates ESO objects right after.
      wait: true,
      timeout: 600,
      dependsOn: props.dependsOn,
    });
  }
}
