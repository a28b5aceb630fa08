// Whether the AWS SDK's default credential chain would find anything, decided from the environment
// and the shared config files only (no network: the instance metadata service is not asked). `gitops
// diff` uses it to stop with one clear line instead of starting terraform once per stack, each failing
// with the S3 backend's credential error.
import { join } from "node:path";
import type { FileReader } from "./io";

/** Keys that make a profile a credential source: static keys, SSO, an assumed role, a process. */
const PROFILE_CREDENTIAL_KEYS = [
  "aws_access_key_id",
  "sso_session",
  "sso_start_url",
  "role_arn",
  "credential_process",
  "web_identity_token_file",
  "source_profile",
  "credential_source",
];

async function readOrUndefined(files: FileReader, path: string): Promise<string | undefined> {
  try {
    return await files.readText(path);
  } catch {
    return undefined;
  }
}

/** The keys of one section (`[default]`, `[profile x]` or `[x]`) of an INI file. */
function sectionKeys(text: string, names: readonly string[]): string[] | undefined {
  let current: string | undefined;
  let found: string[] | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      current = header[1];
      if (current !== undefined && names.includes(current)) found ??= [];
      continue;
    }
    const key = /^([A-Za-z_]+)\s*=/.exec(line);
    if (key && current !== undefined && names.includes(current)) found?.push(key[1]!.toLowerCase());
  }
  return found;
}

/**
 * Where credentials would come from ("environment", "profile NAME", ...), or undefined with the
 * reason when nothing in the default chain (short of the instance metadata service) has any.
 */
export async function findAwsCredentials(
  env: Readonly<Record<string, string | undefined>>,
  files: FileReader,
): Promise<{ source: string } | { source?: undefined; looked: string }> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return { source: "environment (AWS_ACCESS_KEY_ID)" };
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return { source: "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)" };
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return { source: "container credentials" };
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || "default";
  const home = env.HOME ?? env.USERPROFILE ?? "";
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials");
  const configFile = env.AWS_CONFIG_FILE ?? join(home, ".aws", "config");
  const inCredentials = sectionKeys((await readOrUndefined(files, credentialsFile)) ?? "", [profile]);
  const inConfig = sectionKeys((await readOrUndefined(files, configFile)) ?? "", profile === "default" ? ["default", "profile default"] : [`profile ${profile}`]);
  const keys = [...(inCredentials ?? []), ...(inConfig ?? [])];
  if (keys.some((k) => PROFILE_CREDENTIAL_KEYS.includes(k))) return { source: `profile ${profile}` };
  return {
    looked: `no AWS_ACCESS_KEY_ID, no web identity or container credentials, and profile "${profile}" has no credentials in ${configFile} or ${credentialsFile}`,
  };
}
