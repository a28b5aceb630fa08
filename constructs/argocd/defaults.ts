// Defaults of the ArgoCd construct, apart from it so tests of the gitops/ tree can read them without
// loading cdktf and the providers.
import type { ArgoCdProps } from "./index";

export type ArgoCdDefaults = Required<Pick<ArgoCdProps, "namespace" | "serverExposure" | "highAvailability" | "sso">> & {
  readonly repository: string;
  readonly rootApplicationName: string;
};

export const ARGOCD_DEFAULTS: ArgoCdDefaults = {
  namespace: "argocd",
  serverExposure: "clusterIp",
  highAvailability: false,
  sso: false,
  repository: "https://argoproj.github.io/argo-helm",
  rootApplicationName: "root",
};
