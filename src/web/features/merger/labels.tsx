import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { MergerState, TaskStatus } from '../../../contracts/merger.js';

const TASK_COLORS: Record<TaskStatus, string> = { todo: 'gray', in_progress: 'blue', done: 'green', blocked: 'red', cancelled: 'dark' };
const STATE_COLORS: Record<MergerState, string> = { no_plan: 'gray', not_started: 'yellow', in_progress: 'blue', done: 'green' };
const nowrap = { style: { flexShrink: 0, maxWidth: 'none' }, styles: { label: { overflow: 'visible' } } } as const;

export function TaskStatusBadge({ status }: { status: TaskStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={TASK_COLORS[status]} variant="light" {...nowrap} data-testid="task-status">
      {t(`merger.taskStatus.${status}`)}
    </Badge>
  );
}

export function MergerStateBadge({ state }: { state: MergerState }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATE_COLORS[state]} variant="light" {...nowrap}>
      {t(`merger.state.${state}`)}
    </Badge>
  );
}

/** `14/03/2026 22:00` (Vietnam time) → `2026-03-14T22:00:00+07:00`; null when it does not parse. */
export function parseVnDateTime(text: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const p = (s: string) => s.padStart(2, '0');
  const iso = `${m[3]}-${p(m[2]!)}-${p(m[1]!)}T${p(m[4]!)}:${m[5]}:00+07:00`;
  return Number.isNaN(new Date(iso).getTime()) ? null : iso;
}

/** An instant shown in Vietnam time as dd/MM/yyyy HH:mm, whatever the browser's zone. */
export function formatVnDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(d);
  const get = (type: string) => parts.find((x) => x.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} ${get('hour')}:${get('minute')}`;
}
