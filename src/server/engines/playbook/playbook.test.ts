import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePlaybooks, openMandatory, parsePlaybook, tasksFromPlaybook } from './playbook.js';

const dir = join(process.cwd(), 'data/playbooks');

describe('shipped playbooks', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  it('the eight SOPs of the issue are shipped and every one validates', () => {
    expect(files.sort()).toEqual([
      'citizen-data-leak.yaml', 'compromised-account.yaml', 'ddos-portal.yaml', 'malware-workstation.yaml', 'phishing-campaign.yaml',
      'population-db-abuse.yaml', 'ransomware-server.yaml', 'web-defacement.yaml',
    ]);
    for (const f of files) {
      const r = parsePlaybook(readFileSync(join(dir, f), 'utf8'));
      expect(r.problems, f).toEqual([]);
      if (r.ok) {
        expect(r.doc.key).toBe(f.replace('.yaml', ''));
        expect(r.doc.titleEn.length).toBeGreaterThan(3);
        expect(r.doc.phases.flatMap((p) => p.steps).some((s) => s.mandatory)).toBe(true);
      }
    }
  });

  it('a rule id a playbook attaches by is the id of a shipped Khiên Sigma rule (a typo would never attach)', () => {
    const sigmaDir = join(process.cwd(), 'data/sigma/khien');
    const ids = new Set(readdirSync(sigmaDir).flatMap((f) => [...readFileSync(join(sigmaDir, f), 'utf8').matchAll(/^id: (\S+)$/gm)].map((m) => m[1])));
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    let checked = 0;
    for (const f of files) {
      const r = parsePlaybook(readFileSync(join(dir, f), 'utf8'));
      if (!r.ok) continue;
      for (const rule of r.doc.alertRules.filter((x) => uuid.test(x))) {
        expect(ids.has(rule), `${f}: ${rule}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});

describe('parsePlaybook', () => {
  it('names the line of a schema problem and of a YAML syntax error', () => {
    const bad = 'key: x\ntitle: Thử\ntitleEn: Test\nphases:\n  - phase: triage\n    steps:\n      - key: a\n        title: Bước một\n        who: mayor\n        dueHours: 1\n';
    const r = parsePlaybook(bad);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ path: 'phases.0.steps.0.who', line: 9 });
    const syntax = parsePlaybook('key: [x\n');
    expect(syntax.ok).toBe(false);
    expect(syntax.problems[0]!.line).toBe(2);
  });
  it('refuses duplicate step keys, phases out of order and an alias bomb', () => {
    const dup = parsePlaybook(`key: x\ntitle: Thử\ntitleEn: Test\nphases:\n  - phase: containment\n    steps:\n      - {key: a, title: Bước một, who: soc, dueHours: 1}\n  - phase: triage\n    steps:\n      - {key: a, title: Bước hai, who: soc, dueHours: 1}\n`);
    expect(dup.problems.map((p) => p.message).join(' ')).toMatch(/lặp lại.*thứ tự|thứ tự.*lặp lại|lặp lại/);
    expect(dup.problems.length).toBe(2);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
    expect(parsePlaybook(bomb.join('\n')).ok).toBe(false);
  });
});

describe('task generation and choice', () => {
  const r = parsePlaybook(readFileSync(join(dir, 'ransomware-server.yaml'), 'utf8'));
  if (!r.ok) throw new Error('ransomware playbook invalid');
  it('steps become tasks in phase order, due from the attach time', () => {
    const tasks = tasksFromPlaybook(r.doc, '2026-11-20T02:00:00.000Z');
    expect(tasks[0]).toMatchObject({ stepKey: 'confirm-encryption', phase: 'triage', mandatory: true, dueAt: '2026-11-20T03:00:00.000Z', order: 0 });
    expect(tasks.map((t) => t.phase)).toEqual([...tasks.map((t) => t.phase)].sort((a, b) => ['triage', 'containment', 'eradication', 'recovery', 'post_incident'].indexOf(a) - ['triage', 'containment', 'eradication', 'recovery', 'post_incident'].indexOf(b)));
    expect(tasks.find((t) => t.stepKey === 'notify-police')).toMatchObject({ who: 'unit', decision: expect.stringContaining('báo cáo ngay') });
    expect(openMandatory(tasks.map((t) => ({ ...t, status: 'todo' }))).length).toBe(tasks.filter((t) => t.mandatory).length);
  });
  it('an alert rule wins over the category', () => {
    const pbs = [
      { key: 'a', categories: ['ddos' as const], alertRules: [] },
      { key: 'b', categories: ['other' as const], alertRules: ['Availability-Down'] },
    ];
    expect(choosePlaybooks(pbs, { category: 'ddos', alertRules: ['availability-down'] }).map((p) => p.key)).toEqual(['b']);
    expect(choosePlaybooks(pbs, { category: 'ddos', alertRules: [] }).map((p) => p.key)).toEqual(['a']);
  });
});
