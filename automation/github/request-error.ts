// How a failed GitHub request is described to the person reading the CLI's output.

/** `503: Service Unavailable`: Octokit's status and GitHub's message, or what the error says. */
export function describeStatus(error: unknown): string {
  const e = error as { status?: unknown; message?: unknown };
  return `${typeof e.status === "number" ? e.status : "no status"}: ${typeof e.message === "string" ? e.message : String(error)}`;
}

/** One line naming the request that failed, so the reader knows which call to GitHub gave up. */
export function describeGitHubError(error: unknown): string {
  const req = (error as { request?: { method?: string; url?: string } }).request;
  const where = req?.method && req.url ? ` (${req.method} ${req.url})` : "";
  return `GitHub request failed${where}: ${describeStatus(error)}`;
}
