// S3 guardrails, written for the Terraform state bucket but applied to every bucket: public access
// blocked, versioning, default encryption, and a policy that refuses plain-HTTP requests.
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import type { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import type { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import type { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import type { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { TerraformElement } from "cdktf";
import type { PolicyRule, StackIndex } from "../rule";
import { statementsOf } from "./policy-documents";

/** The bucket's companion resources of one kind (`aws_s3_bucket_versioning`, ...), by reference or by name. */
function companions<T extends TerraformElement & { readonly bucketInput?: string }>(bucket: S3Bucket, kind: string, index: StackIndex): T[] {
  const name = bucket.bucketInput;
  return index.ofKind<T>(kind).filter((c) => index.refersTo(c.bucketInput, bucket) || (name !== undefined && c.bucketInput === name));
}

export const S3001: PolicyRule = {
  id: "S3001",
  title: "S3 buckets block all public access",
  severity: "error",
  checkov: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
  appliesTo: ["aws_s3_bucket"],
  check(bucket, { index }) {
    const blocks = companions<S3BucketPublicAccessBlock>(bucket as S3Bucket, "aws_s3_bucket_public_access_block", index);
    const complete = blocks.some(
      (b) => b.blockPublicAclsInput === true && b.blockPublicPolicyInput === true && b.ignorePublicAclsInput === true && b.restrictPublicBucketsInput === true,
    );
    return complete
      ? []
      : [{ problem: "public access is not fully blocked", fix: "add an aws_s3_bucket_public_access_block with all four settings true" }];
  },
};

export const S3002: PolicyRule = {
  id: "S3002",
  title: "S3 buckets are versioned",
  severity: "error",
  checkov: ["CKV_AWS_21"],
  appliesTo: ["aws_s3_bucket"],
  check(bucket, { index }) {
    const legacy = (bucket as S3Bucket).versioningInput?.enabled === true;
    const versioned = companions<S3BucketVersioningA>(bucket as S3Bucket, "aws_s3_bucket_versioning", index).some(
      (v) => v.versioningConfigurationInput?.status === "Enabled",
    );
    return legacy || versioned
      ? []
      : [{ problem: "versioning is off, so an overwritten or deleted object (a state file) is gone", fix: 'add an aws_s3_bucket_versioning with status "Enabled"' }];
  },
};

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

export const S3003: PolicyRule = {
  id: "S3003",
  title: "S3 buckets declare default encryption",
  severity: "error",
  checkov: ["CKV_AWS_19"],
  appliesTo: ["aws_s3_bucket"],
  check(bucket, { index }) {
    const configs = companions<S3BucketServerSideEncryptionConfigurationA>(bucket as S3Bucket, "aws_s3_bucket_server_side_encryption_configuration", index);
    const encrypted = configs.some((c) => {
      const rules = Array.isArray(c.ruleInput) ? c.ruleInput : [];
      return rules.some((r) => SSE_ALGORITHMS.includes(r.applyServerSideEncryptionByDefault?.sseAlgorithm ?? ""));
    });
    return encrypted
      ? []
      : [{ problem: "no default encryption is declared", fix: 'add an aws_s3_bucket_server_side_encryption_configuration (sseAlgorithm "aws:kms" or "AES256")' }];
  },
};

export const S3004: PolicyRule = {
  id: "S3004",
  title: "S3 bucket policies deny requests without TLS (aws:SecureTransport)",
  severity: "error",
  checkov: [],
  appliesTo: ["aws_s3_bucket"],
  check(bucket, { index }) {
    const policies = companions<S3BucketPolicy>(bucket as S3Bucket, "aws_s3_bucket_policy", index);
    const inline = (bucket as S3Bucket).policyInput;
    const statements = [
      ...policies.flatMap((p) => statementsOf(p.policyInput, p, index, true)),
      ...(inline === undefined ? [] : statementsOf(inline, bucket, index, true)),
    ];
    const tlsOnly = statements.some(
      (s) =>
        s.effect === "Deny" &&
        s.actions.some((a) => a === "*" || a === "s3:*") &&
        s.conditions.some((c) => c.test === "Bool" && c.variable === "aws:SecureTransport" && c.values.includes("false")),
    );
    return tlsOnly
      ? []
      : [{ problem: "the bucket accepts plain-HTTP requests", fix: 'add a bucket policy statement: Deny s3:* for principal * when Bool aws:SecureTransport = "false"' }];
  },
};

export const S3_RULES: readonly PolicyRule[] = [S3001, S3002, S3003, S3004];
