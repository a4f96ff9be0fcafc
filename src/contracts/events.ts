/**
 * Khiên's normalised security event: a FLAT record with ECS-style dotted keys (contract with the Sigma engine,
 * see SOC-INTERFACE.md). Produced by the log parsers (`src/server/engines/logparse/`), consumed by the Sigma
 * engine (`src/server/engines/sigma/`), stored by the SOC module.
 *
 * Common keys: `@timestamp` (ISO-8601 UTC), `event.id` (stable id used for de-duplication), `message` (the raw
 * line or full text), `host.name`, `host.ip`, `source.ip`, `user.name`, `event.code`, `event.action`,
 * `event.outcome` (`success` | `failure`), `process.name`, `process.pid`, `url.original`,
 * `http.request.method`, `http.response.status_code`, `user_agent.original`.
 * Windows Security / Sysmon events ALSO carry their EventData fields under their original names
 * (`EventID`, `Image`, `CommandLine`, `TargetUserName`, `LogonType`, …) so SigmaHQ rules match unchanged.
 *
 * Log source, set by every parser: `khien.logsource.product` (windows, linux, apache, nginx, …),
 * `khien.logsource.category` (process_creation, webserver, …), `khien.logsource.service` (sshd, sudo, pam,
 * auth, security, sysmon, …).
 *
 * Enrichment added by the pipeline (not by parsers): `khien.source.id`, `khien.system.id`, `khien.asset.id`,
 * `khien.unit.id`, and for account governance `khien.account.status` / `khien.account.person_status`
 * (see ACCOUNT_ENRICHMENT_FIELDS).
 */
export type EventValue = string | number | boolean | null | readonly (string | number)[];
export type KhienEvent = Record<string, EventValue>;

/** Log-source keys every parser sets. */
export const LOGSOURCE_FIELDS = {
  product: 'khien.logsource.product',
  category: 'khien.logsource.category',
  service: 'khien.logsource.service',
} as const;

/**
 * Account-governance enrichment (agreed with the Sigma rules for logins to disabled or leaver accounts).
 * Set by the pipeline on events that carry `user.name` and whose source maps to an information system whose
 * latest account snapshot knows that username:
 * - `khien.account.status`: `enabled` | `disabled` (the account on that system);
 * - `khien.account.person_status`: the linked person's employment status (`active`, `retired`, `dismissed`,
 *   `deceased`, `transferred`, …) or absent when the account is not linked to a person;
 * - `khien.account.leaver`: `true` when the linked person has left (retired/dismissed/deceased).
 */
export const ACCOUNT_ENRICHMENT_FIELDS = {
  status: 'khien.account.status',
  personStatus: 'khien.account.person_status',
  leaver: 'khien.account.leaver',
} as const;

/** Read a string field (first element of an array), or undefined. */
export function eventString(event: KhienEvent, key: string): string | undefined {
  const v = event[key];
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.length > 0 ? String(v[0]) : undefined;
  return String(v);
}
