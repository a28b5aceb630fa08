// The stacks of one environment, <env>-cluster and <env>-gitops (and local-gitops), synthesized once
// per file from the shipped configs: what a reviewer of the infrastructure cares about.
import type { AwsEnvironmentConfig } from "../../config/schema";
import { awsConfig, resourcesOf, synthLocal, synthStacks, type TerraformJson } from "./helpers";

const staging = synthStacks("staging");
const production = synthStacks("production");
const local = synthLocal();

describe("<env>-cluster stack", () => {
  it("keeps the Terraform addresses of the VPC, cluster and node group stable", () => {
    // Renaming a construct id changes these addresses, which would destroy and recreate the resource.
    expect(Object.keys(resourcesOf(staging.cluster, "aws_vpc"))).toEqual(["network_vpc_4E8F0223"]);
    expect(Object.keys(resourcesOf(staging.cluster, "aws_eks_cluster"))).toEqual(["eks_cluster_55B0C966"]);
    expect(Object.keys(resourcesOf(staging.cluster, "aws_eks_node_group"))).toEqual(["eks_default-node-group_294CB1C9"]);
  });

  it("tags every AWS resource through the provider's default tags", () => {
    const [aws] = staging.cluster.provider?.aws ?? [];
    expect(aws?.default_tags).toEqual([{ tags: { project: "cadec23", env: "staging" } }]);
    expect(aws?.region).toBe("eu-north-1");
    expect(aws?.allowed_account_ids).toEqual(["123456789012"]);
    // default_tags only reach resources of this provider: there must be no other provider instance.
    expect(Object.keys(staging.cluster.provider ?? {})).toEqual(["aws"]);
  });

  it("has one NAT gateway in staging and one per zone in production", () => {
    expect(Object.keys(resourcesOf(staging.cluster, "aws_nat_gateway"))).toHaveLength(1);
    expect(Object.keys(resourcesOf(production.cluster, "aws_nat_gateway"))).toHaveLength(3);
    const routes = Object.values(resourcesOf(production.cluster, "aws_route_table"))
      .map((rt) => (rt.route as Array<{ nat_gateway_id?: string }>)[0]?.nat_gateway_id)
      .filter(Boolean);
    expect(new Set(routes).size).toBe(3);
  });

  it("scales the staging node group 2/2/6 and ignores desired_size after creation", () => {
    const [group] = Object.values(resourcesOf(staging.cluster, "aws_eks_node_group"));
    expect(group?.scaling_config).toEqual({ min_size: 2, desired_size: 2, max_size: 6 });
    expect(group?.lifecycle).toEqual({ create_before_destroy: true, ignore_changes: ["scaling_config[0].desired_size"] });
  });

  it("puts nodes in private subnets without public IPs and requires IMDSv2", () => {
    const [group] = Object.values(resourcesOf(staging.cluster, "aws_eks_node_group"));
    const subnets = resourcesOf(staging.cluster, "aws_subnet");
    const privateRefs = Object.keys(subnets).filter((k) => k.includes("private")).map((k) => `\${aws_subnet.${k}.id}`);
    expect(group?.subnet_ids).toEqual(privateRefs);
    const [template] = Object.values(resourcesOf(staging.cluster, "aws_launch_template"));
    expect(template?.network_interfaces).toEqual([expect.objectContaining({ associate_public_ip_address: "false", delete_on_termination: "true" })]);
    expect(template?.metadata_options).toMatchObject({ http_tokens: "required", http_put_response_hop_limit: 1 });
    for (const [name, subnet] of Object.entries(subnets)) expect([name, subnet.map_public_ip_on_launch ?? false]).toEqual([name, false]);
  });

  it("tags subnets for load balancers", () => {
    const subnets = Object.entries(resourcesOf(staging.cluster, "aws_subnet"));
    const tags = (kind: string) => subnets.filter(([k]) => k.includes(kind)).map(([, s]) => s.tags as Record<string, string>);
    expect(tags("public").every((t) => t["kubernetes.io/role/elb"] === "1")).toBe(true);
    expect(tags("private").every((t) => t["kubernetes.io/role/internal-elb"] === "1")).toBe(true);
    expect(tags("public")).toHaveLength(3);
    expect(tags("private")).toHaveLength(3);
  });

  it("logs all five control-plane log types and encrypts secrets with a rotating KMS key", () => {
    const [cluster] = Object.values(resourcesOf(staging.cluster, "aws_eks_cluster"));
    expect(cluster?.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    expect(cluster?.encryption_config).toMatchObject({ resources: ["secrets"] });
    const [key] = Object.values(resourcesOf(staging.cluster, "aws_kms_key"));
    expect(key?.enable_key_rotation).toBe(true);
    const logGroups = Object.values(resourcesOf(staging.cluster, "aws_cloudwatch_log_group"));
    expect(logGroups.map((g) => g.retention_in_days)).toEqual([365, 365]);
  });

  it("limits the public endpoint to the configured CIDRs and uses access entries", () => {
    const [stagingCluster] = Object.values(resourcesOf(staging.cluster, "aws_eks_cluster"));
    expect(stagingCluster?.vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ["203.0.113.0/24"],
    });
    const [productionCluster] = Object.values(resourcesOf(production.cluster, "aws_eks_cluster"));
    expect(productionCluster?.vpc_config).toMatchObject({ public_access_cidrs: ["198.51.100.10/32", "198.51.100.11/32"] });
    expect(stagingCluster?.access_config).toEqual({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false });
  });

  it("gives admins cluster admin, and readers no Secret anywhere: Helm's records are ConfigMaps they can read", () => {
    const entries = resourcesOf(staging.cluster, "aws_eks_access_entry");
    const principalOf = (ref: unknown) => entries[/^\$\{aws_eks_access_entry\.([\w-]+)\.principal_arn\}$/.exec(String(ref))?.[1] ?? ""]?.principal_arn;
    const grants = Object.values(resourcesOf(staging.cluster, "aws_eks_access_policy_association")).map((a) => ({
      principal: principalOf(a.principal_arn),
      policy: String(a.policy_arn).split("/").pop(),
      scope: a.access_scope,
    }));
    const config = awsConfig("staging").cluster;
    expect(config.adminRoleArns).toHaveLength(1);
    expect(config.readerRoleArns).toHaveLength(1);
    expect(grants).toEqual([
      { principal: config.adminRoleArns[0], policy: "AmazonEKSClusterAdminPolicy", scope: { type: "cluster" } },
      // AmazonEKSViewPolicy excludes Secrets: the plan role cannot read Argo CD's repository credential.
      { principal: config.readerRoleArns[0], policy: "AmazonEKSViewPolicy", scope: { type: "cluster" } },
    ]);
    // What a plan refreshes: Helm's release records, kept as ConfigMaps (which the view policy covers).
    for (const json of [staging.gitops, production.gitops, local]) expect(json.provider?.helm?.[0]?.helm_driver).toBe("configmap");
  });

  it("gives nodes the cluster security group, which EKS stops adding once the template names interfaces", () => {
    const [template] = Object.values(resourcesOf(staging.cluster, "aws_launch_template"));
    const [address] = Object.keys(resourcesOf(staging.cluster, "aws_eks_cluster"));
    expect(template?.network_interfaces).toEqual([
      {
        associate_public_ip_address: "false",
        delete_on_termination: "true",
        security_groups: [`\${aws_eks_cluster.${address}.vpc_config[0].cluster_security_group_id}`],
      },
    ]);
  });

  it("tags the instances, volumes and network interfaces node groups launch with the environment's tags", () => {
    for (const [env, json] of [["staging", staging], ["production", production]] as const) {
      const templates = Object.values(resourcesOf(json.cluster, "aws_launch_template"));
      expect(templates.length).toBeGreaterThan(0);
      for (const template of templates) {
        expect(template.tag_specifications).toEqual(
          ["instance", "volume", "network-interface"].map((resource_type) => ({ resource_type, tags: { project: "cadec23", env } })),
        );
      }
    }
  });

  it("installs the EBS CSI driver after the pod identity agent that gives it credentials, and after the nodes", () => {
    const addons = resourcesOf(staging.cluster, "aws_eks_addon");
    const addressOf = (name: string) => Object.entries(addons).find(([, a]) => a.addon_name === name)?.[0];
    const ebs = addons[addressOf("aws-ebs-csi-driver") ?? ""];
    expect(ebs?.depends_on).toEqual(
      expect.arrayContaining([`aws_eks_addon.${addressOf("eks-pod-identity-agent")}`, ...Object.keys(resourcesOf(staging.cluster, "aws_eks_node_group")).map((k) => `aws_eks_node_group.${k}`)]),
    );
  });

  it("installs the core add-ons, EBS CSI with a pod identity", () => {
    const addons = Object.values(resourcesOf(staging.cluster, "aws_eks_addon"));
    expect(addons.map((a) => a.addon_name).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
    const ebs = addons.find((a) => a.addon_name === "aws-ebs-csi-driver");
    expect(ebs?.pod_identity_association).toEqual([{ role_arn: expect.stringMatching(/^\$\{aws_iam_role\.eks_ebs-csi-role_/), service_account: "ebs-csi-controller-sa" }]);
    expect(Object.values(resourcesOf(staging.cluster, "aws_iam_role_policy_attachment")).map((a) => a.policy_arn)).toContain(
      "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
    );
    expect(Object.keys(resourcesOf(staging.cluster, "aws_iam_openid_connect_provider"))).toHaveLength(1);
  });

  it("closes the default security group and sends flow logs to CloudWatch", () => {
    const [sg] = Object.values(resourcesOf(staging.cluster, "aws_default_security_group"));
    expect(sg?.ingress).toBeUndefined();
    expect(sg?.egress).toBeUndefined();
    const [flowLog] = Object.values(resourcesOf(staging.cluster, "aws_flow_log"));
    expect(flowLog).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" });
    const [vpc] = Object.values(resourcesOf(staging.cluster, "aws_vpc"));
    expect(vpc).toMatchObject({ cidr_block: "10.0.0.0/16", enable_dns_hostnames: true, enable_dns_support: true });
  });

  it("stores state in S3 under <env>/cluster.tfstate with S3-native locking", () => {
    expect(staging.cluster.terraform.backend?.s3).toEqual({
      bucket: "example-tfstate",
      key: "staging/cluster.tfstate",
      region: "eu-north-1",
      encrypt: true,
      kms_key_id: "arn:aws:kms:eu-north-1:123456789012:alias/gitops-tfstate",
      use_lockfile: true,
    });
    expect(production.cluster.terraform.backend?.s3?.key).toBe("production/cluster.tfstate");
  });

  it("marks the kubeconfig output sensitive", () => {
    expect(staging.cluster.output?.kubeconfig?.sensitive).toBe(true);
    expect(Object.keys(staging.cluster.output ?? {}).filter((o) => !o.startsWith("cross-stack"))).toEqual(
      expect.arrayContaining(["vpc_id", "cluster_name", "cluster_endpoint", "kubeconfig"]),
    );
  });
});

type Values = {
  server: { service: { type: string }; replicas: number };
  configs: { cm: Record<string, unknown>; rbac: Record<string, unknown> };
  "redis-ha"?: { enabled: boolean };
};

function argoValues(json: typeof staging.gitops): Values {
  const release = Object.values(resourcesOf(json, "helm_release")).find((r) => r.chart === "argo-cd");
  return JSON.parse((release?.values as string[])[0]!) as Values;
}

describe("<env>-gitops stack", () => {
  it("connects to the cluster through cross-stack references and aws eks get-token", () => {
    const [kubernetes] = staging.gitops.provider?.kubernetes ?? [];
    expect(kubernetes?.host).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-staging-cluster\.outputs\./);
    expect(kubernetes?.exec).toEqual([
      expect.objectContaining({ command: "aws", args: expect.arrayContaining(["eks", "get-token", "--region", "eu-north-1"]) }),
    ]);
    const [helm] = staging.gitops.provider?.helm ?? [];
    expect((helm?.kubernetes as { exec: { command: string } }).exec.command).toBe("aws");
    expect(staging.gitops.terraform.backend?.s3).toMatchObject({ key: "staging/gitops.tfstate", use_lockfile: true });
  });

  it("installs the pinned argo-cd chart with the server not on a public load balancer", () => {
    const release = Object.values(resourcesOf(staging.gitops, "helm_release")).find((r) => r.chart === "argo-cd");
    expect(release).toMatchObject({ version: "10.1.1", repository: "https://argoproj.github.io/argo-helm" });
    expect(release?.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.argocd_namespace_\w+\.metadata\[0\]\.name\}$/);
    expect(argoValues(staging.gitops).server.service.type).toBe("ClusterIP");
    expect(argoValues(staging.gitops).configs.rbac["policy.default"]).toBe("role:readonly");
    expect(argoValues(staging.gitops).configs.cm["users.anonymous.enabled"]).toBe(false);
  });

  it("runs Argo CD highly available in production only", () => {
    expect(argoValues(production.gitops)["redis-ha"]).toEqual({ enabled: true });
    expect(argoValues(production.gitops).server.replicas).toBe(2);
    expect(argoValues(staging.gitops)["redis-ha"]).toBeUndefined();
    expect(argoValues(staging.gitops).server.replicas).toBe(1);
  });

  it("points the app-of-apps root at the environment's path and revision", () => {
    const apps = Object.values(resourcesOf(staging.gitops, "helm_release")).find((r) => r.chart === "argocd-apps");
    expect(apps?.version).toBe("2.0.5");
    const values = JSON.parse((apps?.values as string[])[0]!) as { applications: Record<string, { source: unknown }> };
    expect(values.applications.root?.source).toEqual({
      repoURL: "https://github.com/example/infra",
      targetRevision: "main",
      path: "gitops/apps/staging",
    });
    expect(apps?.depends_on).toEqual([expect.stringMatching(/^helm_release\.argocd_argo-cd_/)]);
  });

  it("exports how to reach Argo CD, never a password", () => {
    expect(Object.keys(staging.gitops.output ?? {})).toEqual(["argocd_url"]);
    expect(staging.gitopsText).not.toMatch(/admin[-_.]?password|argocd-initial-admin-secret/i);
  });
});

describe("a private repository's credential stays out of Git and Terraform state", () => {
  type Manifest = { kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> };
  const releaseOf = (json: TerraformJson, chart: string) => Object.values(resourcesOf(json, "helm_release")).find((r) => r.chart === chart);
  const extraObjects = (json: TerraformJson) => (JSON.parse((releaseOf(json, "argo-cd")?.values as string[])[0]!) as { extraObjects?: Manifest[] }).extraObjects ?? [];

  it("Argo CD's release carries an ExternalSecret that writes the repository Secret for exactly gitops.repoUrl", () => {
    const config = awsConfig("production");
    const [store, external] = extraObjects(production.gitops);
    expect(store).toMatchObject({ apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { namespace: "argocd" } });
    expect(store?.spec).toEqual({ provider: { aws: { service: "SecretsManager", region: "eu-north-1" } } });
    expect(external?.kind).toBe("ExternalSecret");
    expect(external?.spec).toMatchObject({
      secretStoreRef: { kind: "SecretStore", name: store?.metadata.name },
      target: {
        template: {
          mergePolicy: "Merge",
          metadata: { labels: { "argocd.argoproj.io/secret-type": "repository" } },
          data: { type: "git", url: config.gitops.repoUrl },
        },
      },
      dataFrom: [{ extract: { key: config.gitops.repoCredentials?.secretName } }],
    });
    // The argo-cd chart passes extraObjects through Helm's tpl: a "{{" would be rendered, not kept.
    expect(JSON.stringify(extraObjects(production.gitops))).not.toContain("{{");
  });

  it("installs External Secrets Operator first, pinned, confined to Argo CD's namespace", () => {
    const eso = releaseOf(production.gitops, "external-secrets");
    expect(eso).toMatchObject({ repository: "https://charts.external-secrets.io", version: "2.0.0", namespace: "external-secrets", wait: true });
    expect(JSON.parse((eso?.values as string[])[0]!)).toMatchObject({ scopedNamespace: "argocd", scopedRBAC: true, serviceAccount: { name: "external-secrets" } });
    expect(eso?.depends_on).toEqual([expect.stringMatching(/^kubernetes_namespace_v1\.argocd_namespace_/)]);
    expect(releaseOf(production.gitops, "argo-cd")?.depends_on).toEqual([expect.stringMatching(/^helm_release\.argocd_external-secrets_release_/)]);
  });

  it("gives ESO's service account, through EKS Pod Identity, read access to that one secret and nothing else", () => {
    const [association] = Object.values(resourcesOf(production.cluster, "aws_eks_pod_identity_association")).filter((a) => a.namespace === "external-secrets");
    expect(association).toMatchObject({ service_account: "external-secrets", cluster_name: expect.stringMatching(/^\$\{aws_eks_cluster\./) });
    const roleName = String(association?.role_arn).match(/aws_iam_role\.([\w-]+)\.arn/)?.[1];
    const [policy] = Object.values(resourcesOf(production.cluster, "aws_iam_role_policy")).filter((p) => String(p.role).includes(`aws_iam_role.${roleName}.`));
    const documentName = String(policy?.policy).match(/aws_iam_policy_document\.([\w-]+)\.json/)?.[1] ?? "";
    const document = production.cluster.data?.aws_iam_policy_document?.[documentName] as { statement: Array<{ actions: string[]; resources: string[] }> };
    expect(document.statement).toEqual([
      expect.objectContaining({
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources: [expect.stringMatching(/^arn:aws:secretsmanager:eu-north-1:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:secret:gitops\/argocd-repo-\?{6}$/)],
      }),
    ]);
  });

  it("decrypts with a customer managed key only through Secrets Manager", () => {
    const base = awsConfig("staging");
    const kmsKeyArn = "arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const json = synthStacks({ ...base, gitops: { ...base.gitops, repoCredentials: { ...base.gitops.repoCredentials!, kmsKeyArn } } });
    const documents = Object.values(json.cluster.data?.aws_iam_policy_document ?? {}) as Array<{ statement: Array<Record<string, unknown>> }>;
    const decrypt = documents.flatMap((d) => d.statement).find((s) => (s.actions as string[]).includes("kms:Decrypt"));
    expect(decrypt).toMatchObject({
      resources: [kmsKeyArn],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [expect.stringMatching(/^secretsmanager\.eu-north-1\.\$\{data\.aws_partition\.[\w-]+\.dns_suffix\}$/)] }],
    });
  });

  it("no stack holds a credential: no Secret, secret version or sensitive Helm value, only the secret's name", () => {
    for (const json of [staging, production]) {
      for (const text of [json.clusterText, json.gitopsText]) {
        expect(text).not.toMatch(/"(kubernetes_secret(_v1)?|aws_secretsmanager_secret_version|aws_ssm_parameter)"|set_sensitive|githubAppPrivateKey|BEGIN [A-Z ]*PRIVATE KEY/);
      }
    }
  });

  it("without repoCredentials there is no ESO, no role and no extra objects", () => {
    const base = awsConfig("staging");
    const json = synthStacks({ ...base, gitops: { ...base.gitops, repoCredentials: undefined } });
    expect(releaseOf(json.gitops, "external-secrets")).toBeUndefined();
    expect(extraObjects(json.gitops)).toEqual([]);
    expect(json.clusterText).not.toContain("external-secrets");
    expect(releaseOf(json.gitops, "argo-cd")?.depends_on).toBeUndefined();
  });
});

describe("local-gitops stack", () => {
  it("uses the local kube context and a relative local state path", () => {
    expect(local.provider?.kubernetes?.[0]).toEqual({ config_path: "~/.kube/config", config_context: "kind-gitops" });
    const path = (local.terraform.backend?.local as { path: string }).path;
    expect(path).toBe("../../../terraform.local-gitops.tfstate");
    expect(Object.keys(local.provider ?? {}).sort()).toEqual(["helm", "kubernetes"]);
  });
});

describe("day 2: routine changes do not take the cluster down", () => {
  const cluster = (json: TerraformJson) => Object.values(resourcesOf(json, "aws_eks_cluster"))[0]!;
  const nodeGroup = (json: TerraformJson) => Object.values(resourcesOf(json, "aws_eks_node_group"))[0]!;

  it("a changed instance type brings a new node group up before the old one goes", () => {
    const base = awsConfig("staging");
    const changed = synthStacks({
      ...base,
      cluster: { ...base.cluster, nodeGroups: { default: { ...base.cluster.nodeGroups.default!, instanceTypes: ["m6i.large"] } } },
    });
    const group = nodeGroup(changed.cluster);
    expect(group.instance_types).toEqual(["m6i.large"]);
    // A prefix instead of a fixed name, so old and new group can exist side by side.
    expect(group.node_group_name).toBeUndefined();
    expect(group.node_group_name_prefix).toBe("default-");
    expect(group.lifecycle).toMatchObject({ create_before_destroy: true });
    expect(group.update_config).toEqual({ max_unavailable_percentage: 33 });
    expect(Object.keys(resourcesOf(changed.cluster, "aws_eks_node_group"))).toEqual(["eks_default-node-group_294CB1C9"]);
  });

  it("nodes and add-ons follow the cluster's Kubernetes version", () => {
    const clusterAddress = `\${aws_eks_cluster.${Object.keys(resourcesOf(staging.cluster, "aws_eks_cluster"))[0]}.version}`;
    expect(nodeGroup(staging.cluster).version).toBe(clusterAddress);
    const versions = staging.cluster.data?.aws_eks_addon_version ?? {};
    const addons = Object.values(resourcesOf(staging.cluster, "aws_eks_addon"));
    expect(addons.map((a) => a.addon_name).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
    for (const addon of addons) {
      const [id, lookup] = Object.entries(versions).find(([, v]) => v.addon_name === addon.addon_name) ?? [];
      expect({ addon: addon.addon_name, version: addon.addon_version }).toEqual({ addon: addon.addon_name, version: `\${data.aws_eks_addon_version.${id}.version}` });
      expect(lookup).toMatchObject({ kubernetes_version: clusterAddress, most_recent: true });
    }
  });

  it("a pinned add-on version is used as it is", () => {
    const base = awsConfig("staging");
    const pinned = synthStacks({ ...base, cluster: { ...base.cluster, addonVersions: { "vpc-cni": "v1.20.4-eksbuild.1" } } });
    const cni = Object.values(resourcesOf(pinned.cluster, "aws_eks_addon")).find((a) => a.addon_name === "vpc-cni");
    expect(cni?.addon_version).toBe("v1.20.4-eksbuild.1");
    expect(Object.values(pinned.cluster.data?.aws_eks_addon_version ?? {}).map((v) => v.addon_name)).not.toContain("vpc-cni");
  });

  it("creates the networking add-ons before the nodes, without EKS's self-managed copies", () => {
    expect(cluster(staging.cluster).bootstrap_self_managed_addons).toBe(false);
    const addonIds = Object.fromEntries(Object.entries(resourcesOf(staging.cluster, "aws_eks_addon")).map(([id, a]) => [a.addon_name as string, id]));
    const dependsOn = nodeGroup(staging.cluster).depends_on as string[];
    for (const name of ["eks-pod-identity-agent", "vpc-cni", "kube-proxy"]) expect(dependsOn).toContain(`aws_eks_addon.${addonIds[name]}`);
    for (const name of ["coredns", "aws-ebs-csi-driver"]) expect(dependsOn).not.toContain(`aws_eks_addon.${addonIds[name]}`);
  });

  it("gives the VPC CNI its own Pod Identity role; nodes pull images read-only and carry no CNI policy", () => {
    const cni = Object.values(resourcesOf(staging.cluster, "aws_eks_addon")).find((a) => a.addon_name === "vpc-cni");
    expect(cni?.pod_identity_association).toEqual([{ role_arn: expect.stringMatching(/^\$\{aws_iam_role\.eks_vpc-cni-role_[0-9A-F]+\.arn\}$/), service_account: "aws-node" }]);
    const attachments = Object.entries(resourcesOf(staging.cluster, "aws_iam_role_policy_attachment"));
    const nodePolicies = attachments.filter(([id]) => id.startsWith("eks_node-role")).map(([, a]) => a.policy_arn);
    expect(nodePolicies.sort()).toEqual(["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]);
    expect(attachments.filter(([, a]) => a.policy_arn === "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy").map(([id]) => id)).toEqual([
      expect.stringMatching(/^eks_vpc-cni-policy_/),
    ]);
  });

  it("stays on standard support, is protected from deletion, and uses zonal shift in production", () => {
    for (const env of [staging, production]) {
      expect(cluster(env.cluster).upgrade_policy).toEqual({ support_type: "STANDARD" });
      expect(cluster(env.cluster).deletion_protection).toBe(true);
    }
    expect(cluster(production.cluster).zonal_shift_config).toEqual({ enabled: true });
    expect(cluster(staging.cluster).zonal_shift_config).toEqual({ enabled: false });
  });

  it("names the AMI type, and puts Bottlerocket's data volume on /dev/xvdb", () => {
    expect(nodeGroup(staging.cluster).ami_type).toBe("AL2023_x86_64_STANDARD");
    const device = (json: TerraformJson) => (Object.values(resourcesOf(json, "aws_launch_template"))[0]!.block_device_mappings as Array<{ device_name: string }>)[0]!.device_name;
    expect(device(staging.cluster)).toBe("/dev/xvda");
    const base = awsConfig("staging");
    const bottlerocket = synthStacks({
      ...base,
      cluster: { ...base.cluster, nodeGroups: { default: { ...base.cluster.nodeGroups.default!, amiType: "BOTTLEROCKET_x86_64" } } },
    });
    expect(device(bottlerocket.cluster)).toBe("/dev/xvdb");
  });

  it("lets runners in the VPC or a peered network reach the private API endpoint over HTTPS", () => {
    const base = awsConfig("staging");
    expect(resourcesOf(staging.cluster, "aws_vpc_security_group_ingress_rule")).toEqual({});
    const json = synthStacks({ ...base, cluster: { ...base.cluster, apiAccessFromCidrs: ["10.20.0.0/24"], apiAccessFromSecurityGroupIds: ["sg-0123456789abcdef0"] } });
    const clusterSg = `\${aws_eks_cluster.${Object.keys(resourcesOf(json.cluster, "aws_eks_cluster"))[0]}.vpc_config[0].cluster_security_group_id}`;
    const rules = Object.values(resourcesOf(json.cluster, "aws_vpc_security_group_ingress_rule"));
    expect(rules.map(({ security_group_id, ip_protocol, from_port, to_port, cidr_ipv4, referenced_security_group_id }) => ({ security_group_id, ip_protocol, from_port, to_port, cidr_ipv4, referenced_security_group_id }))).toEqual([
      { security_group_id: clusterSg, ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.20.0.0/24", referenced_security_group_id: undefined },
      { security_group_id: clusterSg, ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: undefined, referenced_security_group_id: "sg-0123456789abcdef0" },
    ]);
  });

  it("grants break-glass admin roles cluster-admin through their own access entries", () => {
    const base = awsConfig("staging");
    const role = "arn:aws:iam::123456789012:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef";
    const json = synthStacks({ ...base, cluster: { ...base.cluster, breakGlassAdminRoleArns: [role] } });
    const entries = Object.entries(resourcesOf(json.cluster, "aws_eks_access_entry")).filter(([id]) => id.startsWith("eks_break-glass-0"));
    expect(entries.map(([, e]) => e.principal_arn)).toEqual([role]);
    const policies = Object.entries(resourcesOf(json.cluster, "aws_eks_access_policy_association")).filter(([id]) => id.startsWith("eks_break-glass-0"));
    expect(policies.map(([, p]) => p.policy_arn)).toEqual(["arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"]);
  });
});

describe("partitions: China and GovCloud", () => {
  function inRegion(region: string, partition: string): AwsEnvironmentConfig {
    const base = awsConfig("staging");
    const arn = (value: string) => value.replace(/^arn:aws:/, `arn:${partition}:`);
    return {
      ...base,
      aws: { ...base.aws, region },
      cluster: { ...base.cluster, adminRoleArns: base.cluster.adminRoleArns.map(arn), readerRoleArns: base.cluster.readerRoleArns.map(arn) },
      state: { ...base.state, region, ...(base.state.kmsKeyId ? { kmsKeyId: arn(base.state.kmsKeyId).replace("eu-north-1", region) } : {}) },
    };
  }

  it.each([
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
  ])("%s: no ARN of the aws partition in any stack", (region, partition) => {
    const json = synthStacks(inRegion(region, partition));
    for (const text of [json.clusterText, json.gitopsText]) expect(text.match(/arn:aws:[^"]*/g) ?? []).toEqual([]);
    expect(json.clusterText).toContain(`arn:${partition}:iam::aws:policy/AmazonEKSWorkerNodePolicy`);
    expect(json.clusterText).toContain(`arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`);
  });
});
