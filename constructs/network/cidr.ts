// IPv4 CIDR arithmetic for subnet plans. Pure functions, so subnet ranges are concrete values in the
// synthesized JSON (reviewable in a plan) rather than Terraform expressions.

function toInt(address: string): number | undefined {
  const parts = address.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

function parse(cidr: string): { base: number; prefix: number } | undefined {
  const [address, prefixText, extra] = cidr.split("/");
  if (address === undefined || prefixText === undefined || extra !== undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const base = toInt(address);
  const prefix = Number(prefixText);
  if (base === undefined || prefix > 32) return undefined;
  return { base, prefix };
}

/** True for `a.b.c.d/n` whose address has no bits set beyond the prefix (what AWS accepts for a VPC). */
export function isValidIpv4Cidr(cidr: string): boolean {
  const parsed = parse(cidr);
  return parsed !== undefined && parsed.base % 2 ** (32 - parsed.prefix) === 0;
}

/** Terraform's `cidrsubnet(prefix, newbits, netnum)`, computed at synth time. */
export function cidrSubnet(cidr: string, newBits: number, netNum: number): string {
  const parsed = parse(cidr);
  if (!parsed || !isValidIpv4Cidr(cidr)) throw new Error(`not an aligned IPv4 CIDR: ${cidr}`);
  const prefix = parsed.prefix + newBits;
  if (prefix > 32 || netNum < 0 || netNum >= 2 ** newBits) {
    throw new Error(`cidrSubnet(${cidr}, ${newBits}, ${netNum}): out of range`);
  }
  return `${toAddress(parsed.base + netNum * 2 ** (32 - prefix))}/${prefix}`;
}
