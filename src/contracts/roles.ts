import { z } from 'zod';

/** Platform roles (ARCHITECTURE.md "Users and scope"). Each grant is a role at an org unit, covering its subtree. */
export const ROLES = [
  'admin',
  'subcommittee',
  'police',
  'soc_analyst',
  'unit_manager',
  'system_owner',
  'operator',
  'auditor',
  'official',
] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/**
 * Permissions by module. A role holds a set of permissions; a permission is exercised within the subtree of
 * the unit where the role was granted. Anything not listed is denied.
 */
export const PERMISSIONS = [
  'org_unit.read',
  'org_unit.write',
  'person.read',
  'person.write',
  'person.read_citizen_id', // see the masked CCCD; matching never needs the clear value
  'user.read',
  'user.write',
  'role_grant.write',
  'session.revoke_any',
  'audit.read',
  'dashboard.read',
  'system.read',
  'system.write',
  'system.confirm_level', // confirm or override the advisor's level for systems the unit owns (chủ quản)
  'asset.read',
  'asset.write',
  'merger.read',
  'merger.write',
  'merger.task_update', // status, assignee and evidence of merger tasks (operators do the cut-over work)
  'account.read', // accounts of information systems, their owners and findings (account governance)
  'account.write', // account sources, role policies, manual link/unlink
  'account.import', // import account snapshots (file, LDAP, push)
  'account.review_manage', // run access review campaigns (create, close stages) for the unit's systems and people
  'rule.read', // detection rules (Sigma), their hit counts and FP filters — province-wide SOC configuration
  'rule.write', // enable/disable, tune (FP filters) and import detection rules
  'soc.read', // SOC events and alerts of the unit's systems
  'soc.triage', // alert status (acknowledged, false positive, escalated) and assignment
  'soc.manage', // log sources, their API keys, file imports
  'vuln.read', // vulnerability findings, malware-scan coverage and remediation dashboards of the unit's assets
  'vuln.import', // import scanner reports (upload, `khien scan`), assign unmatched hosts
  'vuln.triage', // risk acceptance, false-positive marking, reopening; KEV/EPSS catalogue updates
  'access_log.write', // per-system API keys for access-log ingestion, and access-log file uploads (owner/operating unit)
  'lookup_alert.triage', // acknowledge, assign, mark false positive or escalate look-up alerts (reading them needs audit.read)
  'case.read', // incident cases of the unit's subtree: queue, case page, reports, metrics
  'case.write', // create cases, escalate alerts, comment, observables, attachments, work on tasks
  'case.manage', // move phases, close, classify as reportable, generate official reports
  'playbook.write', // edit SOP playbooks (new versions)
  'notification.manage', // notification channels (e-mail, Telegram, webhooks) and the delivery log
] as const;
export const PermissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof PermissionSchema>;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  subcommittee: ['org_unit.read', 'person.read', 'user.read', 'audit.read', 'dashboard.read', 'system.read', 'asset.read', 'merger.read', 'account.read', 'rule.read', 'soc.read', 'vuln.read', 'case.read'],
  police: ['org_unit.read', 'person.read', 'person.read_citizen_id', 'user.read', 'audit.read', 'dashboard.read', 'system.read', 'asset.read', 'merger.read', 'account.read', 'rule.read', 'soc.read', 'vuln.read', 'lookup_alert.triage', 'case.read', 'case.write', 'case.manage'],
  soc_analyst: ['org_unit.read', 'person.read', 'dashboard.read', 'system.read', 'asset.read', 'account.read', 'rule.read', 'rule.write', 'user.read', 'soc.read', 'soc.triage', 'soc.manage', 'vuln.read', 'vuln.import', 'vuln.triage', 'case.read', 'case.write', 'case.manage', 'playbook.write', 'notification.manage'],
  unit_manager: [
    'org_unit.read', 'org_unit.write', 'person.read', 'person.write', 'person.read_citizen_id', 'user.read', 'dashboard.read',
    'system.read', 'asset.read', 'merger.read', 'system.write', 'system.confirm_level', 'asset.write', 'merger.write', 'merger.task_update',
    'account.read', 'account.write', 'account.import', 'account.review_manage', 'soc.read', 'vuln.read', 'vuln.import', 'vuln.triage', 'access_log.write',
    'case.read', 'case.write',
  ],
  system_owner: [
    'org_unit.read', 'person.read', 'dashboard.read',
    'system.read', 'asset.read', 'merger.read', 'system.write', 'system.confirm_level', 'asset.write', 'merger.write', 'merger.task_update',
    'account.read', 'account.write', 'account.import', 'account.review_manage', 'soc.read', 'vuln.read', 'vuln.import', 'vuln.triage', 'access_log.write',
    'case.read', 'case.write',
  ],
  operator: ['org_unit.read', 'person.read', 'dashboard.read', 'system.read', 'asset.read', 'merger.read', 'merger.task_update', 'account.read', 'account.import', 'soc.read', 'vuln.read', 'vuln.import', 'case.read', 'case.write'],
  // Auditors read the SOC's alerts and events of their units (soc.read, scoped like every grant), never triage
  // them (no soc.triage) nor manage sources (no soc.manage): an inspector checks that alerts were handled.
  auditor: ['org_unit.read', 'person.read', 'user.read', 'audit.read', 'dashboard.read', 'system.read', 'asset.read', 'merger.read', 'account.read', 'rule.read', 'soc.read', 'vuln.read', 'lookup_alert.triage', 'case.read'],
  official: ['dashboard.read'],
};
