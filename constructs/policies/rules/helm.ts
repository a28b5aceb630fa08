// Helm and Argo CD guardrails: charts pinned to an exact version, Argo CD's API server never behind an
// internet-facing load balancer.
import type { Release } from "@cdktf/provider-helm/lib/release";
import { parse } from "yaml";
import { isUnresolved, type PolicyRule } from "../rule";

/** An exact chart version: semver without ranges, wildcards or "latest". */
const PINNED = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const HELM001: PolicyRule = {
  id: "HELM001",
  title: "Helm releases pin an exact chart version",
  severity: "error",
  checkov: [],
  appliesTo: ["helm_release"],
  check(element) {
    const release = element as Release;
    const chart = release.chartInput ?? "";
    // A chart from a local directory is versioned with this repository.
    if (!release.repositoryInput && /^(\.{0,2}\/)/.test(chart)) return [];
    const version = release.versionInput;
    if (isUnresolved(version) || (version !== undefined && PINNED.test(version))) return [];
    return [{
      problem: version ? `chart ${chart} version "${version}" floats` : `chart ${chart} has no version, so every plan may install a newer one`,
      fix: "set version to an exact release like 10.1.1 (Renovate or Dependabot can bump it in a PR)",
    }];
  },
};

type Values = Record<string, unknown>;

function merge(target: Values, source: Values): Values {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    target[key] =
      value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object" && !Array.isArray(current)
        ? merge({ ...(current as Values) }, value as Values)
        : value;
  }
  return target;
}

/** The chart values Helm would see: `values` documents in order, then `set` entries (dotted names). */
export function effectiveValues(release: Release): Values {
  const values: Values = {};
  for (const doc of release.valuesInput ?? []) {
    try {
      const parsed = parse(doc) as unknown;
      if (parsed && typeof parsed === "object") merge(values, parsed as Values);
    } catch {
      // Values that are not YAML until Terraform renders them cannot be checked here.
    }
  }
  for (const entry of Array.isArray(release.setInput) ? release.setInput : []) {
    // Helm's escaped dots (`annotations.service\.beta\.kubernetes\.io/...`) stay part of the key.
    const keys = entry.name.split(/(?<!\\)\./).map((k) => k.replace(/\\\./g, "."));
    let node = values;
    keys.slice(0, -1).forEach((k) => {
      node[k] = node[k] && typeof node[k] === "object" ? node[k] : {};
      node = node[k] as Values;
    });
    node[keys[keys.length - 1]!] = entry.value;
  }
  return values;
}

const get = (values: Values, ...keys: string[]): unknown =>
  keys.reduce<unknown>((node, k) => (node && typeof node === "object" ? (node as Values)[k] : undefined), values);

/** Annotations that make an AWS load balancer internal (AWS Load Balancer Controller and the legacy in-tree one). */
function isInternal(annotations: unknown): boolean {
  const a = (annotations && typeof annotations === "object" ? annotations : {}) as Values;
  return a["service.beta.kubernetes.io/aws-load-balancer-scheme"] === "internal" || String(a["service.beta.kubernetes.io/aws-load-balancer-internal"]) === "true";
}

export const ARGO001: PolicyRule = {
  id: "ARGO001",
  title: "Argo CD server is not exposed through an internet-facing LoadBalancer",
  severity: "error",
  checkov: [],
  appliesTo: ["helm_release"],
  check(element) {
    const release = element as Release;
    if (!/(^|\/)argo-cd$/.test(release.chartInput ?? "")) return [];
    const values = effectiveValues(release);
    const type = get(values, "server", "service", "type");
    if (type !== "LoadBalancer" || isInternal(get(values, "server", "service", "annotations"))) return [];
    return [{
      problem: "the Argo CD API server gets an internet-facing load balancer",
      fix: 'use serverExposure "clusterIp" (port-forward), "internalLoadBalancer" or "ingress" with SSO',
    }];
  },
};

export const HELM_RULES: readonly PolicyRule[] = [HELM001, ARGO001];
