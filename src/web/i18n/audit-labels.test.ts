import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from './en.json' with { type: 'json' };
import vi from './vi.json' with { type: 'json' };

/**
 * Every audit action and target type the server records has a label in both languages: the audit trail shows
 * "Cấp lại thông tin đăng nhập · Người dùng", never `user.credentials_reset · user`.
 */
const serverDir = new URL('../../server', import.meta.url).pathname;

function serverSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

describe('audit trail labels', () => {
  const sources = serverSources(serverDir);
  const actions = new Set<string>();
  const targetTypes = new Set<string>();
  for (const s of sources) {
    for (const m of s.matchAll(/\baction:\s*'([a-z_]+\.[a-z_]+)'/g)) actions.add(m[1]!);
    // tables of audit actions (`const …_AUDIT = { key: 'module.action', … }`)
    for (const t of s.matchAll(/const [A-Z_]+_AUDIT = \{([^}]*)\}/g)) for (const m of t[1]!.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) actions.add(m[1]!);
    for (const m of s.matchAll(/\baction:[^,}]*\?\s*'([a-z_]+\.[a-z_]+)'\s*:\s*'([a-z_]+\.[a-z_]+)'/g)) actions.add(m[1]!).add(m[2]!);
    for (const m of s.matchAll(/\btargetType:\s*'([a-z_]+)'/g)) targetTypes.add(m[1]!);
  }

  it('finds the actions the server records (the scan itself works), each written out in full', () => {
    // An action built from a template could not be checked here: write each one out.
    expect(sources.flatMap((s) => s.match(/\baction:[^,\n]*`[^`]*\$\{[^\n]*/g) ?? [])).toEqual([]);
    expect(actions.size).toBeGreaterThan(100);
    expect(actions).toContain('user.credentials_reset');
    expect(actions).toContain('case.close'); // from a conditional action
    expect(actions).toContain('case.clock_overdue');
    expect(actions).toContain('vuln.reopened_manual'); // from a table of audit actions
    expect(actions).toContain('soc_alert.acknowledged');
    expect(targetTypes).toContain('information_system');
  });

  it.each([['vi', vi], ['en', en]] as const)('%s labels every audit action and target type', (_lang, dict) => {
    const labels = dict as unknown as { auditAction: Record<string, string>; targetType: Record<string, string> };
    expect([...actions].filter((a) => !labels.auditAction[a]).sort()).toEqual([]);
    expect([...targetTypes].filter((t) => !labels.targetType[t]).sort()).toEqual([]);
  });
});
