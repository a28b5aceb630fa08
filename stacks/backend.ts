// Remote state for environment stacks: one S3 bucket, one key per stack, S3-native locking.
import { S3Backend, type TerraformStack } from "cdktf";
import type { AwsEnvironmentConfig } from "../config/schema";

export function stateKey(environment: string, part: string): string {
  return `${environment}/${part}.tfstate`;
}

export function addS3Backend(stack: TerraformStack, config: AwsEnvironmentConfig, part: string): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: config.state.bucket,
    key: stateKey(config.environment, part),
    region: config.state.region,
    encrypt: true,
    // With `encrypt` alone Terraform sends SSE-S3 on each write; naming the bootstrap key keeps SSE-KMS.
    kmsKeyId: config.state.kmsKeyId,
  });
  // Terraform >= 1.10 locks with a .tflock object next to the state; no DynamoDB table. cdktf 0.21's
  // S3BackendConfig predates the option, hence the override.
  backend.addOverride("use_lockfile", true);
  return backend;
}
