/** IPv4/IPv6 CIDR membership without allocation per test beyond parsing the address. */

export type IpWords = [number, number, number, number];

function parseV4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const b = Number(p);
    if (b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

/** Parse an address into four 32-bit words (IPv4 as ::ffff:a.b.c.d). */
export function parseIp(raw: string): IpWords | undefined {
  let s = raw.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (!s.includes(':')) {
    const v4 = parseV4(s);
    return v4 === undefined ? undefined : [0, 0, 0xffff, v4];
  }
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseV4(last);
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    s = s.slice(0, lastColon + 1) + '0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':').map((x) => (/^[0-9a-fA-F]{1,4}$/.test(x) ? parseInt(x, 16) : NaN)));
  const head = parse(halves[0]!);
  let groups: number[];
  if (halves.length === 2) {
    const back = parse(halves[1]!);
    const fill = 8 - head.length - back.length;
    if (fill < 0) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...back];
  } else groups = head;
  if (tail.length) groups = [...groups.slice(0, groups.length - 1), ...tail];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  return [
    ((groups[0]! << 16) | groups[1]!) >>> 0,
    ((groups[2]! << 16) | groups[3]!) >>> 0,
    ((groups[4]! << 16) | groups[5]!) >>> 0,
    ((groups[6]! << 16) | groups[7]!) >>> 0,
  ];
}

export interface Cidr {
  net: IpWords;
  mask: IpWords;
}

export function parseCidr(s: string): Cidr | undefined {
  const [addr, bitsText] = s.split('/');
  const ip = parseIp(addr ?? '');
  if (!ip) return undefined;
  const isV4 = !(addr ?? '').includes(':');
  let bits = bitsText === undefined ? (isV4 ? 32 : 128) : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > (isV4 ? 32 : 128)) return undefined;
  if (isV4) bits += 96;
  const mask: IpWords = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    const b = Math.max(0, Math.min(32, bits - i * 32));
    mask[i] = b === 0 ? 0 : b === 32 ? 0xffffffff : (0xffffffff << (32 - b)) >>> 0;
  }
  const net = ip.map((w, i) => (w & mask[i]!) >>> 0) as IpWords;
  return { net, mask };
}

export function inCidr(ip: IpWords, c: Cidr): boolean {
  for (let i = 0; i < 4; i++) if (((ip[i]! & c.mask[i]!) >>> 0) !== c.net[i]) return false;
  return true;
}
