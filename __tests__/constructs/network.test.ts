import { Testing, TerraformStack } from "cdktf";
import { Network, planSubnets } from "../../constructs/network";
import { cidrSubnet, isValidIpv4Cidr } from "../../constructs/network/cidr";

describe("subnet plan", () => {
  it("gives private subnets an eighth of the VPC each and packs public subnets in the last eighth", () => {
    expect(planSubnets("10.0.0.0/16", 3)).toEqual({
      privateCidrs: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
      publicCidrs: ["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"],
    });
  });

  it("computes cidrsubnet like Terraform and validates alignment", () => {
    expect(cidrSubnet("10.1.0.0/16", 4, 15)).toBe("10.1.240.0/20");
    expect(isValidIpv4Cidr("10.0.0.0/16")).toBe(true);
    expect(isValidIpv4Cidr("10.0.0.1/16")).toBe(false);
    expect(isValidIpv4Cidr("300.0.0.0/16")).toBe(false);
    expect(() => cidrSubnet("10.0.0.0/16", 3, 8)).toThrow("out of range");
  });
});

describe("Network validation", () => {
  const stack = () => new TerraformStack(Testing.app(), "test");
  it.each([
    [{ availabilityZones: 7 }, "Network: invalid prop availabilityZones: expected an integer from 2 to 6, got 7"],
    [{ cidr: "10.0.0.0/24" }, 'Network: invalid prop cidr: expected a prefix length from /16 to /20, got "10.0.0.0/24"'],
    [{ natGateways: "two" as "single" }, 'Network: invalid prop natGateways: expected "single" or "perAz", got "two"'],
    [{ name: "Bad Name" }, 'Network: invalid prop name: expected lowercase letters, digits and -, got "Bad Name"'],
  ])("rejects %j", (props, message) => {
    expect(() => new Network(stack(), "network", { name: "test", ...props })).toThrow(message);
  });
});

describe("zones", () => {
  it("fails the plan, saying why, when the region has fewer zones than asked for (element() would wrap around)", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new Network(stack, "network", { name: "test", availabilityZones: 4 });
    const json = JSON.parse(Testing.synth(stack)) as { data: Record<string, Record<string, { lifecycle?: unknown }>> };
    const [zones] = Object.values(json.data.aws_availability_zones ?? {});
    expect(zones?.lifecycle).toEqual({
      postcondition: [
        {
          condition: "${length(self.names) >= 4}",
          error_message: "network.availabilityZones is 4, but this region has fewer available zones (no opt-in needed): lower availabilityZones.",
        },
      ],
    });
  });
});
