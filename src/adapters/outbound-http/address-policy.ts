// Which IP addresses a webhook may reach: none of the ranges that lead back into our own network or a
// cloud's control plane (SSRF). node:net's BlockList does the range matching; addresses that embed an
// IPv4 address (IPv4-mapped, -compatible, NAT64, 6to4) are judged by the address they embed.
import { BlockList, isIP } from 'node:net';

const V4: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'CGNAT (and cloud metadata such as 100.100.100.200)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (and the cloud metadata address 169.254.169.254)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (and broadcast)'],
];
const V6: readonly [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'discard'],
  ['2001::', 23, 'IETF protocol assignments'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique-local (and the cloud metadata address fd00:ec2::254)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const RANGES = [
  ...V4.map(([net, prefix, reason]) => ({ list: block(net, prefix, 'ipv4'), type: 'ipv4' as const, reason })),
  ...V6.map(([net, prefix, reason]) => ({ list: block(net, prefix, 'ipv6'), type: 'ipv6' as const, reason })),
];

function block(net: string, prefix: number, type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return list;
}

/** The eight 16-bit groups of an IPv6 address (which `isIP` already accepted). */
function groups(v6: string): number[] {
  let text = v6.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = (dotted[1] as string).split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const v4Of = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv6 one carries: IPv4-mapped (::ffff:0:0/96), -compatible (::/96), NAT64 (64:ff9b::/96), 6to4 (2002::/16). */
export function embeddedIpv4(v6: string): string | undefined {
  const g = groups(v6);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4Of(g[6] as number, g[7] as number);
  if (zeros(0, 6) && ((g[6] as number) !== 0 || (g[7] as number) > 1)) return v4Of(g[6] as number, g[7] as number);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4Of(g[6] as number, g[7] as number);
  if (g[0] === 0x2002) return v4Of(g[1] as number, g[2] as number);
  return undefined;
}

/** Why `address` may not be a webhook target, or undefined when it may. `allowLoopback` lets loopback through. */
export function refusedAddress(address: string, allowLoopback = false): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'is not an IP address';
  const inner = family === 6 ? embeddedIpv4(address) : undefined;
  if (inner) {
    const reason = refusedAddress(inner, allowLoopback);
    return reason && `${reason} (embedded in ${address})`;
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const range of RANGES) {
    if (range.type !== type || !range.list.check(address, type)) continue;
    if (allowLoopback && range.reason === 'loopback') return undefined;
    return `resolves to ${address} (${range.reason})`;
  }
  return undefined;
}

export function isLoopback(address: string): boolean {
  return refusedAddress(address) !== undefined && refusedAddress(address, true) === undefined;
}
