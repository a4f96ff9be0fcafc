import { fromJson } from '../../db/columns.js';
import type { Db, Tx } from '../../db/database.js';
import type { HostRef } from '../../engines/scan-import/index.js';
import { isPublicIp } from './priority.js';

/** What the importer needs to know about an inventory asset. */
export interface AssetFacts {
  id: string;
  code: string;
  name: string;
  ownerUnitId: string;
  ownerPath: string;
  kind: string;
  /** Highest security level among the systems the asset serves (NĐ 331 level, else NĐ 85). */
  level: number | null;
  /** A public IP, or it serves a citizen-facing system. */
  internetExposed: boolean;
}

/** How the importer names a host: a stable key (ip first), and a label for people. */
export function hostKeyOf(h: HostRef): { key: string; label: string } | null {
  const ip = h.ip?.trim().replace(/\.$/, '') || null;
  const hostname = h.hostname?.trim().toLowerCase().replace(/\.$/, '') || null;
  const image = h.image?.trim() || null;
  if (ip) return { key: `ip:${ip}`, label: hostname ? `${hostname} (${ip})` : ip };
  if (hostname) return { key: `host:${hostname}`, label: hostname };
  if (image) return { key: `image:${image}`, label: image };
  return null;
}

/**
 * Every asset indexed by IP, host name (full and short) and name/code (for images), loaded once per import.
 * Matching is exact after lower-casing; a short name matches only when unique.
 */
export class AssetIndex {
  private readonly byIp = new Map<string, AssetFacts>();
  private readonly byName = new Map<string, AssetFacts>();
  private readonly byShort = new Map<string, AssetFacts | null>();
  readonly byId = new Map<string, AssetFacts>();

  static async load(db: Db | Tx): Promise<AssetIndex> {
    const idx = new AssetIndex();
    const rows = await db
      .selectFrom('assets as a')
      .innerJoin('org_units as u', 'u.id', 'a.owner_unit_id')
      .select(['a.id', 'a.code', 'a.name', 'a.kind', 'a.hostname', 'a.ips_json', 'a.owner_unit_id', 'u.path as owner_path'])
      .where('a.status', '<>', 'retired')
      .execute();
    const sys = await db
      .selectFrom('system_assets as sa')
      .innerJoin('information_systems as s', 's.id', 'sa.system_id')
      .select(['sa.asset_id', 's.new_level', 's.legacy_level', 's.type'])
      .execute();
    const levels = new Map<string, { level: number | null; citizen: boolean }>();
    for (const s of sys) {
      const cur = levels.get(s.asset_id) ?? { level: null, citizen: false };
      const l = s.new_level ?? s.legacy_level;
      if (l !== null && (cur.level === null || l > cur.level)) cur.level = l;
      if (s.type === 'citizen_service') cur.citizen = true;
      levels.set(s.asset_id, cur);
    }
    for (const r of rows) {
      const ips = fromJson<string[]>(r.ips_json) ?? [];
      const l = levels.get(r.id);
      const facts: AssetFacts = {
        id: r.id, code: r.code, name: r.name, kind: r.kind, ownerUnitId: r.owner_unit_id, ownerPath: r.owner_path,
        level: l?.level ?? null, internetExposed: ips.some(isPublicIp) || !!l?.citizen,
      };
      idx.byId.set(r.id, facts);
      for (const ip of ips) idx.byIp.set(ip.trim(), facts);
      for (const n of [r.hostname, r.name, r.code]) {
        if (!n) continue;
        const lower = n.trim().toLowerCase();
        idx.byName.set(lower, facts);
        const short = lower.split('.')[0]!;
        if (short !== lower || n === r.hostname) idx.byShort.set(short, idx.byShort.has(short) && idx.byShort.get(short)?.id !== r.id ? null : facts);
      }
    }
    return idx;
  }

  /** The asset a report's host names, by IP, then host name, then image name. */
  match(h: HostRef): AssetFacts | null {
    const ip = h.ip?.trim().replace(/\.$/, '');
    if (ip && this.byIp.has(ip)) return this.byIp.get(ip)!;
    const hn = h.hostname?.trim().toLowerCase().replace(/\.$/, '');
    if (hn) {
      const full = this.byName.get(hn);
      if (full) return full;
      const short = this.byShort.get(hn.split('.')[0]!);
      if (short) return short;
    }
    const image = h.image?.trim().toLowerCase();
    if (image) return this.byName.get(image) ?? this.byName.get(image.split(':')[0]!) ?? null;
    return null;
  }
}
