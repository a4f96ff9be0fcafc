/**
 * What other modules may use from the SOC module.
 * - `raiseAlert(db, { source, title, severity, unitId, systemId?, assetId?, details })`: put an alert into the
 *   SOC queue (vulnerability/malware detections, look-up analytics, …), grouped and triaged like Sigma alerts.
 */
export { raiseAlert, type RaiseAlertInput, type Severity, SEVERITIES } from './alerts.js';
export { socRuntimeOf } from './soc.runtime.js';
