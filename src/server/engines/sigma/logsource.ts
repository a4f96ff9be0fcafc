import type { KhienEvent, Logsource } from './types.js';

/**
 * Logsource mapping (sigma-rules-specification.md "Log Source"): an event says what it is through
 * `khien.logsource.product|category|service` (set by the ingest parsers). Windows events are also recognised
 * from their `Channel` and `EventID`, the way SigmaHQ's Windows pipelines read them: Sysmon event ids and
 * Security 4688 give the category, the channel gives the service.
 */

const SYSMON = 'microsoft-windows-sysmon/operational';

/** Sysmon EventID → categories (Sysmon schema; category names from SigmaHQ tests/logsource.json). */
const SYSMON_CATEGORIES: Record<number, string[]> = {
  1: ['process_creation'],
  2: ['file_change'],
  3: ['network_connection'],
  4: ['sysmon_status'],
  5: ['process_termination'],
  6: ['driver_load'],
  7: ['image_load'],
  8: ['create_remote_thread'],
  9: ['raw_access_thread', 'raw_access_read'],
  10: ['process_access'],
  11: ['file_event'],
  12: ['registry_event'],
  13: ['registry_set', 'registry_event'],
  14: ['registry_rename', 'registry_event'],
  15: ['create_stream_hash'],
  16: ['sysmon_status'],
  17: ['pipe_created'],
  18: ['pipe_created'],
  19: ['wmi_event'],
  20: ['wmi_event'],
  21: ['wmi_event'],
  22: ['dns_query'],
  23: ['file_delete'],
  24: ['clipboard_capture'],
  25: ['process_tampering'],
  26: ['file_delete', 'file_delete_detected'],
  27: ['file_block', 'file_block_executable'],
  28: ['file_block', 'file_block_shredding'],
  29: ['file_executable_detected'],
  255: ['sysmon_error'],
};

/** Channel (lowercase) → Sigma service names. Unlisted channels fall back to a normalised channel name. */
const CHANNEL_SERVICES: Record<string, string[]> = {
  security: ['security'],
  system: ['system'],
  application: ['application'],
  [SYSMON]: ['sysmon'],
  'microsoft-windows-powershell/operational': ['powershell'],
  'powershellcore/operational': ['powershell'],
  'windows powershell': ['powershell-classic'],
  'microsoft-windows-windows defender/operational': ['windefend'],
  'microsoft-windows-windows firewall with advanced security/firewall': ['firewall-as'],
  'microsoft-windows-dns-server/analytical': ['dns-server-analytic'],
  'dns server': ['dns-server'],
  'microsoft-windows-driverframeworks-usermode/operational': ['driver-framework'],
  'microsoft-windows-wmi-activity/operational': ['wmi'],
  'microsoft-windows-terminalservices-localsessionmanager/operational': ['terminalservices-localsessionmanager'],
  'microsoft-windows-terminalservices-remoteconnectionmanager/operational': ['terminalservices-remoteconnectionmanager'],
  'msexchange management': ['msexchange-management'],
  'openssh/operational': ['openssh'],
  'microsoft-windows-bitlocker/bitlocker management': ['bitlocker'],
  'microsoft-windows-dhcp-server/operational': ['dhcp'],
  'microsoft-windows-ldap-client/debug': ['ldap_debug', 'ldap'],
  'microsoft-windows-applocker/msi and script': ['applocker'],
  'microsoft-windows-applocker/exe and dll': ['applocker'],
  'microsoft-windows-applocker/packaged app-deployment': ['applocker'],
  'microsoft-windows-applocker/packaged app-execution': ['applocker'],
  'microsoft-windows-security-mitigations/kernel mode': ['security-mitigations'],
  'microsoft-windows-security-mitigations/user mode': ['security-mitigations'],
  'microsoft-windows-codeintegrity/operational': ['codeintegrity-operational'],
  'microsoft-windows-printservice/admin': ['printservice-admin'],
  'microsoft-windows-printservice/operational': ['printservice-operational'],
  'microsoft-windows-smbclient/security': ['smbclient-security'],
  'microsoft-windows-smbclient/connectivity': ['smbclient-connectivity'],
  'microsoft-windows-appxdeploymentserver/operational': ['appxdeployment-server'],
  'microsoft-windows-appxpackaging/operational': ['appxpackaging-om'],
  'microsoft-windows-appmodel-runtime/admin': ['appmodel-runtime'],
  'microsoft-windows-capi2/operational': ['capi2'],
  'microsoft-windows-certificateservicesclient-lifecycle-system/operational': ['certificateservicesclient-lifecycle-system'],
  'microsoft-windows-lsa/operational': ['lsa-server'],
  'microsoft-windows-kernel-shimengine/operational': ['shimcache'],
  'microsoft-windows-ntlm/operational': ['ntlm'],
  'microsoft-windows-bits-client/operational': ['bits-client'],
  'microsoft-windows-taskscheduler/operational': ['taskscheduler'],
  'microsoft-windows-shell-core/operational': ['shell-core'],
  'microsoft-windows-diagnosis-scripted/operational': ['diagnosis-scripted'],
  'microsoft-windows-vhdmp/operational': ['vhdmp'],
  'microsoft-windows-hyper-v-worker-admin': ['hyper-v-worker'],
  'microsoft-windows-sense/operational': ['sense'],
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function channelServices(channel: string): string[] {
  const c = channel.toLowerCase();
  const known = CHANNEL_SERVICES[c];
  if (known) return known;
  const base = c.replace(/^microsoft-windows-/, '');
  const [head = base] = base.split('/');
  return [...new Set([head, base.replace(/[/ ]/g, '-')])];
}

/**
 * Login events get the category `authentication` (ECS event.category) whatever their product, so one Khiên
 * rule covers SSH, PAM and Windows logons (e.g. logins to disabled or leaver accounts).
 */
const AUTH_ACTIONS = new Set(['ssh_login', 'logon', 'login', 'pam_auth', 'su', 'authentication']);

export interface EventLogsource {
  product: string | undefined;
  categories: string[];
  services: string[];
}

/** A string that identifies everything logsource derivation reads; events with equal signatures share a bucket. */
export function logsourceSignature(e: KhienEvent): string {
  const eid = e.EventID;
  let sig = `${str(e['khien.logsource.product']) ?? ''}\u0001${str(e['khien.logsource.category']) ?? ''}\u0001${str(e['khien.logsource.service']) ?? ''}`;
  const ch = e.Channel;
  if (typeof ch === 'string') sig += `\u0001${ch}\u0001${String(eid)}`;
  if (eid === 12 || eid === '12') sig += `\u0001${String(e.EventType)}`;
  const action = e['event.action'];
  if (typeof action === 'string' && AUTH_ACTIONS.has(action)) sig += '\u0001auth';
  const ecsCat = e['event.category'];
  if (ecsCat !== undefined) sig += `\u0001${String(ecsCat)}`;
  return sig;
}

export function eventLogsource(e: KhienEvent): EventLogsource {
  let product = str(e['khien.logsource.product'])?.toLowerCase();
  const categories = new Set<string>();
  const services = new Set<string>();
  const c = str(e['khien.logsource.category']);
  if (c) for (const x of c.toLowerCase().split(',')) categories.add(x.trim());
  const s = str(e['khien.logsource.service']);
  if (s) for (const x of s.toLowerCase().split(',')) services.add(x.trim());
  const action = e['event.action'];
  if (typeof action === 'string' && AUTH_ACTIONS.has(action)) categories.add('authentication');
  const ecsCat = e['event.category'];
  for (const x of Array.isArray(ecsCat) ? ecsCat : typeof ecsCat === 'string' ? [ecsCat] : []) categories.add(String(x).toLowerCase());
  const channel = str(e.Channel);
  if (channel !== undefined) {
    product ??= 'windows';
    for (const x of channelServices(channel)) services.add(x);
    const eid = Number(e.EventID);
    const ch = channel.toLowerCase();
    if (ch === SYSMON) {
      for (const x of SYSMON_CATEGORIES[eid] ?? []) categories.add(x);
      if (eid === 12) {
        const t = String(e.EventType ?? '').toLowerCase();
        if (t === 'createkey' || t === 'createvalue') categories.add('registry_add');
        if (t === 'deletekey' || t === 'deletevalue') categories.add('registry_delete');
      }
    } else if (ch === 'security') {
      if (eid === 4688) categories.add('process_creation');
      if (eid === 4689) categories.add('process_termination');
      if (eid === 4663) categories.add('file_access');
    } else if (ch === 'microsoft-windows-powershell/operational' || ch === 'powershellcore/operational') {
      if (eid === 4104) categories.add('ps_script');
      if (eid === 4103) categories.add('ps_module');
    } else if (ch === 'windows powershell') {
      if (eid === 400) categories.add('ps_classic_start');
      if (eid === 600) categories.add('ps_classic_provider_start');
      if (eid === 800) categories.add('ps_classic_script');
    } else if (ch === 'microsoft-windows-kernel-file/analytic') {
      if (eid === 12) categories.add('file_access');
      if (eid === 19 || eid === 27) categories.add('file_rename');
    }
  }
  return { product, categories: [...categories], services: [...services] };
}

export function ruleLogsourceKey(ls: Logsource): string {
  return `${ls.product ?? '*'}|${ls.category ?? '*'}|${ls.service ?? '*'}`;
}

/** Every rule logsource key an event satisfies (a rule key leaves out what the rule does not constrain). */
export function eventLogsourceKeys(ls: EventLogsource): string[] {
  const ps = ls.product ? [ls.product, '*'] : ['*'];
  const cs = [...ls.categories, '*'];
  const ss = [...ls.services, '*'];
  const out: string[] = [];
  for (const p of ps) for (const c of cs) for (const s of ss) out.push(`${p}|${c}|${s}`);
  return out;
}

/** True when an event with logsource `ev` can be the subject of a rule with logsource `rule`. */
export function logsourceMatches(rule: Logsource, ev: EventLogsource): boolean {
  if (rule.product && rule.product !== ev.product) return false;
  if (rule.category && !ev.categories.includes(rule.category)) return false;
  if (rule.service && !ev.services.includes(rule.service)) return false;
  return true;
}
