/**
 * Khiên's Sigma engine (pure: no database, clock or I/O). Contract with the SOC pipeline: SOC-INTERFACE.md.
 *
 *   const parsed = parseRules(files);            // YAML → rules + issues (unsupported features, with the reason)
 *   const detector = compileDetector(parsed);    // fast matcher, indexed by logsource and literals
 *   const correlator = createCorrelator(parsed, detector);
 *   for (const e of events) { const m = detector.match(e); const hits = correlator.push(e, m); }
 */
export * from './types.js';
export { parseRules, parseTimespan } from './parse.js';
export { compileDetector, checkFilter } from './detector.js';
export { createCorrelator } from './correlation.js';
export { flattenWindowsEvent, parseConcatenatedJson } from './windows.js';
export { eventLogsource, logsourceMatches } from './logsource.js';
export { FIELD_ALIASES } from './fields.js';
export { ruleAttribution } from './attribution.js';
