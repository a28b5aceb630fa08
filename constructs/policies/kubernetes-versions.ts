// The one list of Kubernetes minor versions in EKS standard support. EKS005 rejects anything older
// than the oldest entry. Update it when AWS's release calendar moves (a version gets 14 months of
// standard support, then 12 months of paid extended support):
// https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html

export interface KubernetesVersionSupport {
  readonly version: string;
  /** Last day of EKS standard support (ISO date, or a month when estimated), for reviewers; the rule does not read the clock. */
  readonly endOfStandardSupport: string;
}

/**
 * Newest first; checked on 2026-12-03. 1.34 left standard support on 2026-12-02, 1.33 on 2026-07-29.
 * 1.35's date is AWS's published one (released on EKS 2026-01-28). 1.36's end of standard support is
 * estimated as its EKS release plus 14 months: confirm it on the page above when it is published.
 */
export const EKS_STANDARD_SUPPORT: readonly KubernetesVersionSupport[] = [
  { version: "1.36", endOfStandardSupport: "2027-07 (estimated)" },
  { version: "1.35", endOfStandardSupport: "2027-03-27" },
];

export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = EKS_STANDARD_SUPPORT.map((v) => v.version);
export const OLDEST_SUPPORTED_KUBERNETES_VERSION = EKS_STANDARD_SUPPORT[EKS_STANDARD_SUPPORT.length - 1]!.version;
export const LATEST_KUBERNETES_VERSION = EKS_STANDARD_SUPPORT[0]!.version;

/** Minor number of "1.35"; undefined for anything that is not a 1.x minor version. */
export function kubernetesMinor(version: string): number | undefined {
  const match = /^1\.(\d+)$/.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

/** True when the version is at least as new as the oldest one in standard support. */
export function isInStandardSupport(version: string): boolean {
  const minor = kubernetesMinor(version);
  return minor !== undefined && minor >= kubernetesMinor(OLDEST_SUPPORTED_KUBERNETES_VERSION)!;
}
