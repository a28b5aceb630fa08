// The key that turns plan fingerprints into HMACs (see fingerprintPlan): plan and apply must use the
// same one, from the GITOPS_FINGERPRINT_KEY secret in CI.
//
// It reaches the CLI as a file, never through the environment: terraform and its providers are
// children of this process and run the configuration under review, so they can read
// /proc/<parent>/environ. The file is read and deleted before any terraform starts.
import { UsageError } from "../errors";
import type { CliIo } from "../io";

export const FINGERPRINT_KEY_VARIABLE = "GITOPS_FINGERPRINT_KEY";
export const FINGERPRINT_KEY_FILE_VARIABLE = "GITOPS_FINGERPRINT_KEY_FILE";

/** 32 characters: `openssl rand -hex 32` gives 64. A short key could itself be guessed. */
const MIN_KEY_LENGTH = 32;

/**
 * The fingerprint key from the file GITOPS_FINGERPRINT_KEY_FILE names (deleted once read), or
 * undefined for plain sha256 fingerprints. With `publishes`, a command whose fingerprints end up on a
 * pull request warns on GitHub Actions when there is no key.
 */
export async function fingerprintKey(io: CliIo, options: { publishes: boolean }): Promise<string | undefined> {
  if (io.env[FINGERPRINT_KEY_VARIABLE]) {
    throw new UsageError(
      `${FINGERPRINT_KEY_VARIABLE} is set in the environment, where terraform's providers can read it (/proc/<pid>/environ of this process): write the key to a file only you can read and set ${FINGERPRINT_KEY_FILE_VARIABLE} to its path instead (the file is deleted once read)`,
    );
  }
  const file = io.env[FINGERPRINT_KEY_FILE_VARIABLE];
  if (file === undefined || file === "") {
    if (options.publishes && io.env.GITHUB_ACTIONS === "true") {
      io.stderr(
        `::warning title=Plan fingerprints are plain sha256::set the ${FINGERPRINT_KEY_VARIABLE} secret (see docs/security-model.md): the fingerprints on the pull request also cover sensitive values, and without a key anyone who reads them can test guesses of a secret\n`,
      );
    }
    return undefined;
  }
  let key: string;
  try {
    key = (await io.files.readText(file)).replace(/\r?\n$/, "");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${FINGERPRINT_KEY_FILE_VARIABLE}: ${reason} (the key file is deleted once read: write it again before every run)`);
  }
  // Gone before terraform starts: it runs as the same user and could otherwise read the file.
  await io.writer.remove(file);
  if (key.length < MIN_KEY_LENGTH) {
    throw new UsageError(`${FINGERPRINT_KEY_FILE_VARIABLE}: the key has ${key.length} characters: use at least ${MIN_KEY_LENGTH} random ones (openssl rand -hex 32)`);
  }
  return key;
}
