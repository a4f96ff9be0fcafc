import {
  IconAlertOctagon,
  IconBell,
  IconChartLine,
  IconListCheck,
  IconBook,
  IconBuilding,
  IconBug,
  IconChartBar,
  IconChecklist,
  IconCoin,
  IconDeviceDesktop,
  IconDatabase,
  IconFingerprint,
  IconFileAnalytics,
  IconGitMerge,
  IconHome,
  IconListDetails,
  IconListSearch,
  IconPlugConnected,
  IconRadar,
  IconServer,
  IconShieldSearch,
  IconShieldCheck,
  IconUsers,
  IconUserShield,
  IconUserCircle,
  IconVirusSearch,
  IconWorldSearch,
  type Icon,
} from '@tabler/icons-react';
import type { Permission } from '../../contracts/roles.js';

export interface NavItem {
  key: string;
  /** i18n key of the label when it is not `nav.<key>` (modules keep their strings under their own key). */
  labelKey?: string;
  icon: Icon;
  /** A built page; items without a path are modules that are not built yet. */
  path?: string;
  permission?: Permission;
}

export interface NavGroup {
  key: string | null;
  labelKey?: string;
  items: NavItem[];
}

/** The platform's modules in menu order (ARCHITECTURE.md capabilities). */
export const NAV: NavGroup[] = [
  { key: null, items: [{ key: 'dashboard', icon: IconHome, path: '/', permission: 'dashboard.read' }] },
  {
    key: 'org',
    items: [
      { key: 'orgUnits', icon: IconBuilding, path: '/org-units', permission: 'org_unit.read' },
      { key: 'people', icon: IconUsers, path: '/people', permission: 'person.read' },
      { key: 'users', icon: IconUserShield, path: '/users', permission: 'user.read' },
    ],
  },
  {
    key: null,
    items: [
      { key: 'audit', icon: IconListDetails, path: '/audit', permission: 'audit.read' },
      { key: 'accessLog', icon: IconFingerprint, path: '/access-log', permission: 'audit.read' },
    ],
  },
  {
    key: 'inventory',
    items: [
      { key: 'systems', icon: IconServer, path: '/systems', permission: 'system.read' },
      { key: 'assets', icon: IconDeviceDesktop, path: '/assets', permission: 'asset.read' },
      { key: 'merger', icon: IconGitMerge, path: '/merger', permission: 'merger.read' },
      { key: 'accounts', icon: IconUserCircle, path: '/accounts', permission: 'account.read' },
    ],
  },
  {
    key: 'soc',
    items: [
      { key: 'socAlerts', icon: IconRadar, path: '/soc/alerts', permission: 'soc.read' },
      { key: 'socEvents', icon: IconListSearch, path: '/soc/events', permission: 'soc.read' },
      { key: 'socSources', icon: IconPlugConnected, path: '/soc/sources', permission: 'soc.read' },
      { key: 'socRules', icon: IconShieldSearch, path: '/soc/rules', permission: 'rule.read' },
    ],
  },
  {
    key: 'vuln',
    items: [
      { key: 'vulns', icon: IconBug, path: '/vulns', permission: 'vuln.read' },
      { key: 'vulnDashboard', icon: IconChartBar, path: '/vulns/dashboard', permission: 'vuln.read' },
      { key: 'malwareCoverage', icon: IconVirusSearch, path: '/vulns/coverage', permission: 'vuln.read' },
    ],
  },
  {
    key: 'cases',
    labelKey: 'cases.nav.group',
    items: [
      { key: 'cases', labelKey: 'cases.nav.queue', icon: IconAlertOctagon, path: '/cases', permission: 'case.read' },
      { key: 'casesDashboard', labelKey: 'cases.nav.dashboard', icon: IconChartLine, path: '/case-dashboard', permission: 'case.read' },
      { key: 'playbooks', labelKey: 'cases.nav.playbooks', icon: IconListCheck, path: '/playbooks', permission: 'case.read' },
      { key: 'notifications', labelKey: 'cases.nav.notifications', icon: IconBell, path: '/notifications', permission: 'case.read' },
    ],
  },
  {
    key: 'upcoming',
    items: [
      { key: 'assessments', icon: IconChecklist },
      { key: 'resilience', icon: IconDatabase },
      { key: 'awareness', icon: IconBook },
      { key: 'intel', icon: IconWorldSearch },
      { key: 'budget', icon: IconCoin },
      { key: 'reports', icon: IconFileAnalytics },
    ],
  },
];

export const ACCOUNT_ICON = IconShieldCheck;
