// The rule catalogue, in the order of the Guardrails table.
import type { PolicyRule } from "../rule";
import { EKS_RULES } from "./eks";
import { HELM_RULES } from "./helm";
import { IAM_RULES } from "./iam";
import { LOGGING_RULES } from "./logging";
import { NETWORK_RULES } from "./network";
import { S3_RULES } from "./s3";
import { STATE001 } from "./state";
import { TAG001 } from "./tags";

export const RESOURCE_RULES: readonly PolicyRule[] = [...EKS_RULES, ...NETWORK_RULES, ...S3_RULES, ...LOGGING_RULES, ...IAM_RULES, TAG001, ...HELM_RULES, STATE001];

export * from "./eks";
export * from "./helm";
export * from "./iam";
export * from "./logging";
export * from "./network";
export * from "./s3";
export * from "./state";
export * from "./tags";
