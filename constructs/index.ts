// Public exports of the project's constructs.
export { ArgoCd, ARGOCD_DEFAULTS, argoCdAppsChartValues, argoCdChartValues, type ArgoCdProps } from "./argocd";
export { EksCluster, EKS_CLUSTER_DEFAULTS, CONTROL_PLANE_LOG_TYPES, CORE_ADDONS, type EksClusterProps, type NodeGroupProps } from "./eks-cluster";
export { InvalidPropError } from "./errors";
export { Network, NETWORK_DEFAULTS, planSubnets, type NetworkProps, type NatGatewayMode } from "./network";
