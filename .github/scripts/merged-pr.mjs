// Prints the number of the pull request that was merged as commit $SHA (nothing when the commit was
// pushed without one), so the apply job can read that PR's reviewed plan fingerprints.
// Plain Node (fetch, no dependencies): it runs before `npm ci` and on any runner with Node 20+.
//   GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN, SHA, [BRANCH=main]
const { GITHUB_API_URL = "https://api.github.com", GITHUB_REPOSITORY, GITHUB_TOKEN, SHA, BRANCH = "main" } = process.env;

function pickMergedPullRequest(pulls, sha, branch) {
  const merged = pulls.filter((p) => p.merged_at && p.base?.ref === branch);
  // Merge and squash commits are the PR's merge_commit_sha; a rebase merge leaves only associations.
  const exact = merged.find((p) => p.merge_commit_sha === sha);
  return (exact ?? merged[0])?.number;
}

async function main() {
  if (!GITHUB_REPOSITORY || !GITHUB_TOKEN || !SHA) {
    console.error("merged-pr: GITHUB_REPOSITORY, GITHUB_TOKEN and SHA must be set");
    return 2;
  }
  const url = `${GITHUB_API_URL}/repos/${GITHUB_REPOSITORY}/commits/${SHA}/pulls`;
  const response = await fetch(url, {
    headers: { accept: "application/vnd.github+json", authorization: `Bearer ${GITHUB_TOKEN}`, "x-github-api-version": "2022-11-28" },
  });
  if (!response.ok) {
    console.error(`merged-pr: GET ${url}: ${response.status} ${(await response.text()).slice(0, 300)}`);
    return 1;
  }
  const number = pickMergedPullRequest(await response.json(), SHA, BRANCH);
  if (number !== undefined) process.stdout.write(`${number}\n`);
  else console.error(`merged-pr: no pull request into ${BRANCH} was merged as ${SHA}`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`merged-pr: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
