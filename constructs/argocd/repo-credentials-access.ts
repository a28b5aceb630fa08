// The AWS side of a private repository's credentials (see repo-credentials.ts): an IAM role that EKS
// Pod Identity hands to External Secrets Operator's service account, allowed to read exactly one
// Secrets Manager secret. It lives in the cluster stack, which holds the AWS provider and the cluster.
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { podIdentityTrust } from "../eks-cluster";
import { invalidProp } from "../errors";
import type { Partition } from "../partition";
import { EXTERNAL_SECRETS, SECRET_NAME } from "./repo-credentials-values";

export interface RepoCredentialsAccessProps {
  readonly clusterName: string;
  readonly partition: Partition;
  readonly region: string;
  /** Secrets Manager secret name (not an ARN), in the cluster's account and region. */
  readonly secretName: string;
  /** Customer managed KMS key the secret is encrypted with; unset for the default aws/secretsmanager key. */
  readonly kmsKeyArn?: string;
}

export class RepoCredentialsAccess extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: RepoCredentialsAccessProps) {
    super(scope, id);
    if (!SECRET_NAME.test(props.secretName)) {
      throw invalidProp("RepoCredentialsAccess", "secretName", props.secretName, "a Secrets Manager secret name (letters, digits, /_+=.@-)");
    }
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    // Secrets Manager appends a hyphen and six random characters to a secret's ARN; a policy that names
    // the secret matches them with "-??????" (not "*", which would also match "<name>-other").
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
    const secretArn = `arn:${props.partition}:secretsmanager:${props.region}:${account}:secret:${props.secretName}-??????`;

    this.role = new IamRole(this, "role", { namePrefix: "argocd-repo-creds-", assumeRolePolicy: podIdentityTrust(this, "trust").json });
    const read = new DataAwsIamPolicyDocument(this, "read", {
      statement: [
        { sid: "ReadTheRepositoryCredential", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [secretArn] },
        ...(props.kmsKeyArn
          ? [{
              sid: "DecryptThroughSecretsManagerOnly",
              actions: ["kms:Decrypt"],
              resources: [props.kmsKeyArn],
              // The service's endpoint name: amazonaws.com, or amazonaws.com.cn in China.
              condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${props.region}.${new DataAwsPartition(this, "partition").dnsSuffix}`] }],
            }]
          : []),
      ],
    });
    new IamRolePolicy(this, "read-policy", { role: this.role.name, name: "read-repo-credential", policy: read.json });
    new EksPodIdentityAssociation(this, "association", {
      clusterName: props.clusterName,
      namespace: EXTERNAL_SECRETS.namespace,
      serviceAccount: EXTERNAL_SECRETS.serviceAccount,
      roleArn: this.role.arn,
    });
  }
}
