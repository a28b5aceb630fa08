// The key that turns plan fingerprints into HMACs (see fingerprintPlan): plan and apply must use the
// same one, from the GITOPS_FINGERPRINT_KEY secret in CI.
import { UsageError } from "../errors";
import type { CliIo } from "../io";

export const FINGERPRINT_KEY_VARIABLE = "GITOPS_FINGERPRINT_KEY";

/** 32 characters: `openssl rand -hex 32` gives 64. A short key could itself be guessed. */
const MIN_KEY_LENGTH = 32;

/**
 * The fingerprint key, or undefined for plain sha256 fingerprints. With `publishes`, a command whose
 * fingerprints end up on a pull request warns on GitHub Actions when the key is missing.
 */
export function fingerprintKey(io: CliIo, options: { publishes: boolean }): string | undefined {
  const key = io.env[FINGERPRINT_KEY_VARIABLE];
  if (key === undefined || key === "") {
    if (options.publishes && io.env.GITHUB_ACTIONS === "true") {
      io.stderr(
        `::warning title=Plan fingerprints are plain sha256::set the ${FINGERPRINT_KEY_VARIABLE} secret (see README.md, "Set up GitHub"): the fingerprints on the pull request also cover sensitive values, and without a key anyone who reads them can test guesses of a secret\n`,
      );
    }
    return undefined;
  }
  if (key.length < MIN_KEY_LENGTH) {
    throw new UsageError(`${FINGERPRINT_KEY_VARIABLE} has ${key.length} characters: use at least ${MIN_KEY_LENGTH} random ones (openssl rand -hex 32)`);
  }
  return key;
}
