// KMS and CloudWatch Logs guardrails: rotating keys, log groups that keep logs for a year.
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { isUnresolved, type PolicyRule } from "../rule";

/** CloudWatch's own retention values are days; 0 means "never expire". */
export const MIN_LOG_RETENTION_DAYS = 365;

export const KMS001: PolicyRule = {
  id: "KMS001",
  title: "KMS keys rotate automatically",
  severity: "error",
  checkov: ["CKV_AWS_7"],
  appliesTo: ["aws_kms_key"],
  check(element) {
    const key = element as KmsKey;
    // Only symmetric encryption keys can rotate; asymmetric and HMAC keys are out of scope.
    const spec = key.customerMasterKeySpecInput ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT" || isUnresolved(key.enableKeyRotationInput)) return [];
    return key.enableKeyRotationInput === true ? [] : [{ problem: "automatic key rotation is off", fix: "set enableKeyRotation: true" }];
  },
};

export const LOG001: PolicyRule = {
  id: "LOG001",
  title: "CloudWatch log groups set a retention",
  severity: "error",
  checkov: ["CKV_AWS_66"],
  appliesTo: ["aws_cloudwatch_log_group"],
  check(element) {
    return (element as CloudwatchLogGroup).retentionInDaysInput === undefined
      ? [{ problem: "no retention is set (logs are kept forever, unplanned cost)", fix: `set retentionInDays (>= ${MIN_LOG_RETENTION_DAYS})` }]
      : [];
  },
};

export const LOG002: PolicyRule = {
  id: "LOG002",
  title: `CloudWatch log groups keep logs for at least ${MIN_LOG_RETENTION_DAYS} days`,
  severity: "error",
  checkov: ["CKV_AWS_338"],
  appliesTo: ["aws_cloudwatch_log_group"],
  check(element) {
    const days = (element as CloudwatchLogGroup).retentionInDaysInput;
    // Unset is LOG001's finding; 0 keeps logs forever, which satisfies "at least a year".
    if (days === undefined || isUnresolved(days) || days === 0 || days >= MIN_LOG_RETENTION_DAYS) return [];
    return [{ problem: `logs are kept only ${days} days`, fix: `set retentionInDays to ${MIN_LOG_RETENTION_DAYS} or more` }];
  },
};

export const LOGGING_RULES: readonly PolicyRule[] = [KMS001, LOG001, LOG002];
