// Checks on the head render: image tags and the restricted Pod Security level where a namespace asks
// for it. Findings are listed in the preview; errors fail its check.
import type { KubeObject } from "./objects";

export interface Finding {
  readonly severity: "error" | "warning";
  readonly object: string;
  readonly message: string;
}

interface Container {
  name?: string;
  image?: string;
  securityContext?: { allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] }; seccompProfile?: { type?: string } };
}
interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type?: string } };
}

/** The pod spec of a workload object, or undefined for other kinds. */
export function podSpecOf(obj: KubeObject): PodSpec | undefined {
  const spec = obj.spec as Record<string, unknown> | undefined;
  switch (obj.kind) {
    case "Pod":
      return spec as PodSpec | undefined;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return (spec?.template as { spec?: PodSpec } | undefined)?.spec;
    case "CronJob":
      return ((spec?.jobTemplate as { spec?: { template?: { spec?: PodSpec } } } | undefined)?.spec?.template)?.spec;
    default:
      return undefined;
  }
}

/** An image reference without a tag or digest, or with `latest`, is not reproducible. */
export function imageProblem(image: string): string | undefined {
  if (image.includes("@sha256:")) return undefined;
  const lastSegment = image.split("/").at(-1) ?? image;
  const tag = lastSegment.includes(":") ? lastSegment.split(":").at(-1) : undefined;
  if (tag === undefined) return `image ${image} has no tag or digest`;
  if (tag === "latest") return `image ${image} uses the latest tag`;
  return undefined;
}

/** The restricted Pod Security Standard's container rules that a manifest can show. */
function restrictedProblems(pod: PodSpec): string[] {
  const problems: string[] = [];
  const podNonRoot = pod.securityContext?.runAsNonRoot === true;
  const podSeccomp = pod.securityContext?.seccompProfile?.type;
  for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    const name = c.name ?? "?";
    if (sc.allowPrivilegeEscalation !== false) problems.push(`container ${name}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push(`container ${name}: capabilities must drop ALL`);
    if (!podNonRoot && sc.runAsNonRoot !== true) problems.push(`container ${name}: runAsNonRoot must be true`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`container ${name}: seccompProfile must be RuntimeDefault or Localhost`);
  }
  return problems;
}

/**
 * Findings for one Application's head render. `restricted`: the namespace enforces the restricted
 * Pod Security level (a Namespace label in the render, or the Application's managed namespace metadata).
 */
export function checkObjects(objects: readonly KubeObject[], key: (o: KubeObject) => string, restricted: (o: KubeObject) => boolean): Finding[] {
  const findings: Finding[] = [];
  for (const obj of objects) {
    const pod = podSpecOf(obj);
    if (!pod) continue;
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
      const problem = c.image === undefined ? `container ${c.name ?? "?"} has no image` : imageProblem(c.image);
      if (problem) findings.push({ severity: "error", object: key(obj), message: problem });
    }
    if (restricted(obj)) {
      for (const message of restrictedProblems(pod)) findings.push({ severity: "error", object: key(obj), message: `restricted Pod Security: ${message}` });
    }
  }
  return findings;
}
