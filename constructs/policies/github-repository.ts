// One reading of "which GitHub repository is this", shared by the IAM trust rule (IAM002) and the
// config check that Argo CD pulls from this repository. No cdktf: config loading uses it too.

/**
 * `owner/repo` (lowercase) of a github.com URL (https, ssh or scp form, with or without `.git`) or
 * of an `owner/repo` string; undefined for anything else, GitHub Enterprise hosts included (the
 * OIDC trust this project sets up is github.com's).
 */
export function githubRepository(urlOrName: string): string | undefined {
  const match =
    /^(?:https:\/\/github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)?([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(urlOrName.trim());
  if (!match || (/^[a-z]+:/.test(urlOrName) && !urlOrName.includes("github.com"))) return undefined;
  return `${match[1]}/${match[2]}`.toLowerCase();
}
