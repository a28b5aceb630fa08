// The AWS partition of a region: ARNs in China, GovCloud and the European Sovereign Cloud start with
// arn:aws-cn:, arn:aws-us-gov: and arn:aws-eusc:. Derived once from the region (the config's), so every
// ARN the code builds uses the same one.
export type Partition = "aws" | "aws-cn" | "aws-us-gov" | "aws-eusc";

export function partitionOf(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("eusc-")) return "aws-eusc";
  return "aws";
}
