import type { EventValue, KhienEvent } from './types.js';

/**
 * Field aliases: SigmaHQ field name → Khiên (ECS-style) names the ingest parsers produce, tried in order when
 * the event lacks the Sigma name. Windows events keep their original EventData names (SOC-INTERFACE.md), so
 * only Security 4688 process names and the web (W3C/IIS-style) names of SigmaHQ's webserver/proxy rules
 * (research/soc.md §2.5) need mapping.
 */
export const FIELD_ALIASES: Readonly<Record<string, readonly string[]>> = {
  Image: ['NewProcessName', 'process.executable'],
  ParentImage: ['ParentProcessName', 'process.parent.executable'],
  CommandLine: ['process.command_line'],
  ParentCommandLine: ['process.parent.command_line'],
  Computer: ['host.name'],
  ComputerName: ['host.name'],
  'c-uri': ['url.original'],
  'cs-uri-stem': ['url.path'],
  'cs-uri-query': ['url.query'],
  'cs-method': ['http.request.method'],
  'sc-status': ['http.response.status_code'],
  'c-useragent': ['user_agent.original'],
  'cs-user-agent': ['user_agent.original'],
  'cs-referer': ['http.request.referrer'],
  'cs-cookie': ['http.request.cookie'],
  'c-ip': ['source.ip'],
  'cs-host': ['url.domain'],
  'c-uri-extension': ['url.extension'],
  'r-dns': ['url.domain'],
  keywords: ['message'],
};

export type FieldGetter = (e: KhienEvent) => EventValue | undefined;

/** A getter for one rule field, with its alias fallbacks resolved once at compile time. */
export function fieldGetter(field: string): FieldGetter {
  const fallbacks = FIELD_ALIASES[field];
  if (!fallbacks) return (e) => e[field];
  if (fallbacks.length === 1) {
    const f1 = fallbacks[0]!;
    return (e) => {
      const v = e[field];
      return v === undefined ? e[f1] : v;
    };
  }
  return (e) => {
    const v = e[field];
    if (v !== undefined) return v;
    for (const f of fallbacks) {
      const w = e[f];
      if (w !== undefined) return w;
    }
    return undefined;
  };
}

/** The event field that holds the full text for keyword detections (SOC-INTERFACE.md). */
export const KEYWORD_FIELD = 'message';
