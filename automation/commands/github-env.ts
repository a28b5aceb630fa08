// How commands reach GitHub: the token and API root from the environment, as GitHub Actions sets them.
import type { Octokit } from "@octokit/rest";
import { UsageError } from "../errors";
import type { CliIo } from "../io";

/** GITHUB_TOKEN, checked before any work is done. `why` says which option needs it. */
export function requireGitHubToken(io: CliIo, why?: string): string {
  const token = io.env.GITHUB_TOKEN;
  if (!token) throw new UsageError(`GITHUB_TOKEN is not set${why ? ` (needed for ${why})` : ""}`);
  return token;
}

/** A client for GITHUB_API_URL (default api.github.com) whose retry and wait messages go to stderr. */
export function gitHubClientFromEnv(io: CliIo, token: string): Octokit {
  return io.createGitHubClient({ baseUrl: io.env.GITHUB_API_URL || "https://api.github.com", token, log: (m) => io.stderr(`${m}\n`) });
}
