// Helm chart versions as this project pins them, shared by the config schema and the constructs that
// install charts (no cdktf here, so the config loader can use it cheaply).

/** A pinned chart version: MAJOR.MINOR.PATCH with an optional pre-release, never a range. */
export const PINNED_CHART_VERSION = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;

/** True when `version` is pinned and its MAJOR.MINOR.PATCH is `oldest` (MAJOR.MINOR.PATCH) or later. */
export function chartVersionAtLeast(version: string, oldest: string): boolean {
  const m = PINNED_CHART_VERSION.exec(version);
  if (!m) return false;
  const have = [Number(m[1]), Number(m[2]), Number(m[3])];
  const want = oldest.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i]! > want[i]!;
  return true;
}
