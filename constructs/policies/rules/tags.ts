// Every taggable AWS resource carries the required tags, from the provider's default_tags or its own.
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformResource, type TerraformElement, type TerraformProvider } from "cdktf";
import { isUnresolved, type PolicyRule, type StackIndex } from "../rule";

/** Tag keys the project requires (config/schema.ts enforces them on `tags:`). */
export const REQUIRED_TAGS = ["project", "env"] as const;

type Tags = Readonly<Record<string, string>>;

function isTaggableAwsResource(element: TerraformElement): boolean {
  return TerraformResource.isTerraformResource(element) && element.terraformResourceType.startsWith("aws_") && "tagsInput" in element;
}

function providerOf(resource: TerraformResource, index: StackIndex): TerraformProvider | undefined {
  if (resource.provider) return resource.provider;
  // Without an explicit provider, Terraform uses the stack's un-aliased "aws" provider.
  return index.providers.find((p) => p.terraformResourceType === "aws" && !p.alias);
}

function defaultTags(provider: TerraformProvider | undefined): Tags | "unknown" {
  if (provider?.terraformResourceType !== "aws") return {};
  const blocks = (provider as AwsProvider).defaultTagsInput;
  if (isUnresolved(blocks)) return "unknown";
  return Object.assign({}, ...(Array.isArray(blocks) ? blocks : []).map((b) => b.tags ?? {})) as Tags;
}

export const TAG001: PolicyRule = {
  id: "TAG001",
  title: `AWS resources carry the tags ${REQUIRED_TAGS.join(", ")} (provider default tags or their own)`,
  severity: "error",
  checkov: [],
  appliesTo: isTaggableAwsResource,
  check(element, { index, requiredTags }) {
    const resource = element as TerraformResource & { readonly tagsInput?: Tags };
    const inherited = defaultTags(providerOf(resource, index));
    const own = resource.tagsInput;
    if (inherited === "unknown" || isUnresolved(own)) return [];
    const tags = { ...inherited, ...(own ?? {}) };
    const missing = requiredTags.filter((t) => !tags[t]);
    return missing.length === 0
      ? []
      : [{ problem: `missing required tags ${missing.join(", ")}`, fix: "set them in the AWS provider's defaultTags (from config tags:) or on the resource" }];
  },
};
