import type { KhienEvent } from '../../../contracts/events.js';
import { ACCOUNT_ENRICHMENT_FIELDS } from '../../../contracts/events.js';
import type { Db } from '../../db/database.js';

/**
 * What the pipeline knows about where an event comes from, loaded from the database and refreshed
 * periodically: log sources (by id and by the host names / IPs they declare), inventory assets by host name and
 * IP (→ the systems they serve), each system's level (→ retention) and units, and the account-governance view
 * of each system (username → account status and the linked person's employment status).
 */
export interface Placement {
  sourceId: string | null;
  unitId: string | null;
  systemId: string | null;
  assetId: string | null;
  tzOffsetMinutes: number;
  /** Days the event is kept (TCVN 14423:2026 nhóm 8 floors by the system's level). */
  retentionDays: number;
}

interface SourceInfo {
  id: string;
  name: string;
  /** Declared to carry its system's access-log records (soc_sources.access_log). */
  accessLog: boolean;
  unitId: string;
  systemId: string | null;
  assetId: string | null;
  tz: number;
  enabled: boolean;
}

interface AccountInfo {
  enabled: boolean;
  personStatus: string | null;
}

/**
 * Retention by the system's security level. TCVN 14423:2026 nhóm 8 (research/vn-regulations.md): level 2
 * ≥ 1 month, level 3 ≥ 3 months, level 4 ≥ 6 months, level 5 ≥ 12 months. Level 1 and unclassified systems
 * get 3 months (a cautious default: NĐ 85 systems awaiting re-classification are often level 3 in the end).
 */
export const RETENTION_DAYS_BY_LEVEL: Record<number, number> = { 1: 93, 2: 93, 3: 93, 4: 186, 5: 366 };
export const DEFAULT_RETENTION_DAYS = 93;
const LEAVER = new Set(['retired', 'dismissed', 'deceased']);
const DEFAULT_TZ = 420;

export class SourceMap {
  private sources = new Map<string, SourceInfo>();
  private sourceByHost = new Map<string, SourceInfo>();
  private assetByHost = new Map<string, { assetId: string; unitId: string; systemId: string | null }>();
  private systemInfo = new Map<string, { unitId: string; level: number | null }>();
  private accounts = new Map<string, Map<string, AccountInfo>>();
  private fallbackUnit: string | null = null;
  /** place() results by (source, host, peer): events of one sender repeat them; emptied at every load. */
  private placed = new Map<string, Placement>();
  /** The last two place() questions and answers (emptied with `placed`). */
  private recentPlaced: Array<{ sourceId: string | null; host: string | null; peer: string | null; out: Placement | null }> = [
    { sourceId: null, host: null, peer: null, out: null },
    { sourceId: null, host: null, peer: null, out: null },
  ];
  private recentAt = 0;
  loadedAt = 0;

  /** (Re)load everything; cheap enough to run every 30 s (a few thousand rows). */
  async load(db: Db): Promise<void> {
    const [srcRows, assetRows, sysRows, links, root] = await Promise.all([
      db.selectFrom('soc_sources').selectAll().execute(),
      db.selectFrom('assets').select(['id', 'hostname', 'ips_json', 'owner_unit_id']).where('status', '!=', 'retired').execute(),
      db.selectFrom('information_systems').select(['id', 'owner_unit_id', 'security_unit_id', 'new_level', 'legacy_level']).execute(),
      db.selectFrom('system_assets').select(['system_id', 'asset_id']).execute(),
      db.selectFrom('org_units').select('id').where('parent_id', 'is', null).orderBy('created_at').limit(1).executeTakeFirst(),
    ]);
    const sources = new Map<string, SourceInfo>();
    const byHost = new Map<string, SourceInfo>();
    for (const r of srcRows) {
      const s: SourceInfo = { id: r.id, name: r.name, accessLog: r.access_log === 1 && !!r.system_id, unitId: r.unit_id, systemId: r.system_id, assetId: r.asset_id, tz: r.tz_offset_minutes, enabled: r.enabled === 1 };
      sources.set(r.id, s);
      for (const h of JSON.parse(r.hosts_json) as string[]) byHost.set(h.toLowerCase(), s);
    }
    const systemOfAsset = new Map<string, string>();
    for (const l of links) if (!systemOfAsset.has(l.asset_id)) systemOfAsset.set(l.asset_id, l.system_id);
    const assets = new Map<string, { assetId: string; unitId: string; systemId: string | null }>();
    for (const a of assetRows) {
      const v = { assetId: a.id, unitId: a.owner_unit_id, systemId: systemOfAsset.get(a.id) ?? null };
      if (a.hostname) {
        const h = a.hostname.toLowerCase();
        assets.set(h, v);
        const short = h.split('.')[0]!;
        if (!assets.has(short)) assets.set(short, v);
      }
      for (const ip of JSON.parse(a.ips_json) as string[]) assets.set(ip.toLowerCase(), v);
    }
    const systems = new Map<string, { unitId: string; level: number | null }>();
    for (const s of sysRows) systems.set(s.id, { unitId: s.security_unit_id ?? s.owner_unit_id, level: s.new_level ?? s.legacy_level });
    this.sources = sources;
    this.sourceByHost = byHost;
    this.assetByHost = assets;
    this.systemInfo = systems;
    this.fallbackUnit = root?.id ?? null;
    this.placed = new Map();
    for (const r of this.recentPlaced) r.out = null;
    await this.loadAccounts(db);
    this.loadedAt = Date.now();
  }

  /** Latest account snapshot of every system with accounts: username → status, linked person's status. */
  private async loadAccounts(db: Db): Promise<void> {
    const latest = db
      .selectFrom('account_snapshots as s2')
      .select((eb) => ['s2.system_id', eb.fn.max('s2.taken_at').as('taken_at')])
      .groupBy('s2.system_id')
      .as('latest');
    const rows = await db
      .selectFrom('system_accounts as a')
      .innerJoin('account_snapshots as s', 's.id', 'a.snapshot_id')
      .innerJoin(latest, (j) => j.onRef('latest.system_id', '=', 's.system_id').onRef('latest.taken_at', '=', 's.taken_at'))
      .leftJoin('people as p', 'p.id', 'a.person_id')
      .select(['a.system_id', 'a.username', 'a.enabled', 'p.status as person_status'])
      .execute();
    const out = new Map<string, Map<string, AccountInfo>>();
    for (const r of rows) {
      let m = out.get(r.system_id);
      if (!m) out.set(r.system_id, (m = new Map()));
      m.set(r.username.toLowerCase(), { enabled: r.enabled === 1, personStatus: r.person_status ?? null });
    }
    this.accounts = out;
  }

  /** The system whose access-log records this source carries, or null (not declared, or no system). */
  accessLogSource(sourceId: string | null): { systemId: string; name: string } | null {
    const s = sourceId ? this.sources.get(sourceId) : undefined;
    return s?.accessLog && s.enabled && s.systemId ? { systemId: s.systemId, name: s.name } : null;
  }

  /** True when some enabled source is declared to carry its system's access-log records. */
  hasAccessLogSources(): boolean {
    for (const s of this.sources.values()) if (s.accessLog && s.enabled && s.systemId) return true;
    return false;
  }

  /** Source by id (HTTP key / file import), enabled or not. */
  source(id: string): SourceInfo | undefined {
    return this.sources.get(id);
  }

  /** Where an event belongs: the explicit source first, then a source or an asset declaring its host / IP. */
  place(sourceId: string | null, host: string | null, peer: string | null): Placement {
    // the pipeline asks twice per event (without, then with the host name): the last two answers are at hand
    for (const r of this.recentPlaced) if (r.out !== null && r.sourceId === sourceId && r.host === host && r.peer === peer) return r.out;
    const key = `${sourceId}\u0000${host}\u0000${peer}`;
    let out = this.placed.get(key);
    if (out === undefined) {
      out = Object.freeze(this.placeNow(sourceId, host, peer));
      if (this.placed.size >= 10_000) this.placed.clear();
      this.placed.set(key, out);
    }
    const slot = this.recentPlaced[this.recentAt]!;
    this.recentAt ^= 1;
    slot.sourceId = sourceId;
    slot.host = host;
    slot.peer = peer;
    slot.out = out;
    return out;
  }

  private placeNow(sourceId: string | null, host: string | null, peer: string | null): Placement {
    let src = sourceId ? this.sources.get(sourceId) : undefined;
    const keys = [host, peer].filter((k): k is string => !!k).map((k) => k.toLowerCase());
    if (!src) for (const k of keys) if ((src = this.sourceByHost.get(k) ?? this.sourceByHost.get(k.split('.')[0]!))) break;
    let asset: { assetId: string; unitId: string; systemId: string | null } | undefined;
    if (src?.assetId === null || !src) for (const k of keys) if ((asset = this.assetByHost.get(k))) break;
    const systemId = src?.systemId ?? asset?.systemId ?? null;
    const sys = systemId ? this.systemInfo.get(systemId) : undefined;
    const level = sys?.level ?? null;
    return {
      sourceId: src?.id ?? null,
      unitId: src?.unitId ?? sys?.unitId ?? asset?.unitId ?? this.fallbackUnit,
      systemId,
      assetId: src?.assetId ?? asset?.assetId ?? null,
      tzOffsetMinutes: src?.tz ?? DEFAULT_TZ,
      retentionDays: level ? (RETENTION_DAYS_BY_LEVEL[level] ?? DEFAULT_RETENTION_DAYS) : DEFAULT_RETENTION_DAYS,
    };
  }

  /**
   * Account-governance enrichment for the leaver / disabled-account rules (field names agreed with the Sigma
   * rules: ACCOUNT_ENRICHMENT_FIELDS): the account of `user.name` on the event's system.
   */
  enrichAccount(e: KhienEvent, systemId: string | null): void {
    if (!systemId) return;
    const user = e['user.name'];
    if (typeof user !== 'string') return;
    const acc = this.accounts.get(systemId)?.get(user.toLowerCase());
    if (!acc) return;
    e[ACCOUNT_ENRICHMENT_FIELDS.status] = acc.enabled ? 'enabled' : 'disabled';
    if (acc.personStatus) {
      e[ACCOUNT_ENRICHMENT_FIELDS.personStatus] = acc.personStatus;
      e[ACCOUNT_ENRICHMENT_FIELDS.leaver] = LEAVER.has(acc.personStatus);
    }
  }
}
