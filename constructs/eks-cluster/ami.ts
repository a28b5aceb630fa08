// AMI families of managed node groups and the CPU architectures they need. Free of cdktf, so the
// config loader can check instance types against the AMI type without loading the providers.

/**
 * EKS-optimized AMI families a managed node group can use. AL2 is gone from 1.33 on; the NVIDIA
 * variants are for GPU instances.
 */
export const AMI_TYPES = [
  "AL2023_x86_64_STANDARD",
  "AL2023_ARM_64_STANDARD",
  "AL2023_x86_64_NVIDIA",
  "BOTTLEROCKET_x86_64",
  "BOTTLEROCKET_ARM_64",
  "BOTTLEROCKET_x86_64_NVIDIA",
] as const;
export type AmiType = (typeof AMI_TYPES)[number];

/** The CPU architecture an AMI type is built for. */
export function amiArchitecture(amiType: AmiType): "arm64" | "x86_64" {
  return amiType.includes("ARM_64") ? "arm64" : "x86_64";
}

/**
 * The CPU architecture of an EC2 instance type: Graviton families carry a "g" after the generation
 * (m7g, c7gn, t4g, r8gd, im4gn), plus the first Graviton, a1. GPU families such as g5 or gr6 are x86.
 */
export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" {
  const family = instanceType.split(".")[0] ?? "";
  return family === "a1" || /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/**
 * The device the node's root (AL2023) or data (Bottlerocket) volume is attached as: Bottlerocket keeps
 * a small OS volume on /dev/xvda and puts images and pods on /dev/xvdb.
 * https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html
 */
export function nodeVolumeDevice(amiType: AmiType): string {
  return amiType.startsWith("BOTTLEROCKET") ? "/dev/xvdb" : "/dev/xvda";
}
