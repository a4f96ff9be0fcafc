/**
 * What other modules may use from the SOC module.
 * - `raiseAlert(db, { source, title, severity, unitId, systemId?, assetId?, details })`: put an alert into the
 *   SOC queue (vulnerability/malware detections, look-up analytics, …), grouped and triaged like Sigma alerts.
 * - `onAlertStatus(origin, fn)`, `setAlertStatus(tx, id, status)`, `refreshRaisedAlert(tx, id, …)`: for a module
 *   that keeps its own record of an alert it raised (look-up analytics), so both statuses stay equal.
 */
export {
  raiseAlert, type RaiseAlertInput, type Severity, SEVERITIES, type AlertStatus,
  onAlertStatus, setAlertStatus, refreshRaisedAlert,
} from './alerts.js';
export { socRuntimeOf } from './soc.runtime.js';
