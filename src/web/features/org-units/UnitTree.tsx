import { Badge, Box, Group, Text, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrgUnit } from '../../../contracts/org.js';
import { formatDate } from '../../components/format.js';
import type { UnitNode } from './api.js';

/** "Đã sáp nhập vào … từ … theo …" for a unit that no longer exists. */
export function MergedNote({ unit, byId }: { unit: OrgUnit; byId: Map<string, OrgUnit> }) {
  const { t } = useTranslation();
  if (unit.current) return null;
  const successor = unit.mergedIntoId ? byId.get(unit.mergedIntoId)?.name ?? t('orgUnits.unknownUnit') : null;
  const date = formatDate(unit.mergedOn ?? unit.validTo);
  return (
    <Text size="xs" c="dimmed" fs="italic" data-testid="merged-note">
      {successor
        ? unit.mergerDecision
          ? t('orgUnits.mergedInto', { successor, date, decision: unit.mergerDecision })
          : t('orgUnits.mergedIntoNoDecision', { successor, date })
        : t('orgUnits.ceasedOn', { date })}
    </Text>
  );
}

function Node({ node, level, byId, onSelect, defaultOpen }: { node: UnitNode; level: number; byId: Map<string, OrgUnit>; onSelect: (u: OrgUnit) => void; defaultOpen: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(defaultOpen);
  const u = node.unit;
  const hasChildren = node.children.length > 0;
  return (
    <>
      <Group
        gap={6}
        wrap="nowrap"
        align="flex-start"
        py={5}
        pl={level * 22}
        style={{ borderBottom: '1px solid var(--mantine-color-gray-2)', opacity: u.current ? 1 : 0.6 }}
        data-testid="unit-row"
        data-current={u.current}
      >
        <Box w={20} pt={2} style={{ flexShrink: 0 }}>
          {hasChildren ? (
            <UnstyledButton onClick={() => setOpen((o) => !o)} aria-label={open ? t('common.collapse') : t('common.expand')}>
              {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
            </UnstyledButton>
          ) : null}
        </Box>
        <Box style={{ flex: 1, minWidth: 0 }}>
          <Group gap={8} wrap="wrap">
            <UnstyledButton onClick={() => onSelect(u)} data-testid="unit-name">
              <Text fw={u.depth === 0 ? 700 : 500} c={u.current ? undefined : 'dimmed'} td={u.current ? undefined : 'line-through'}>
                {u.name}
              </Text>
            </UnstyledButton>
            <Text size="xs" c="dimmed">
              {u.code}
            </Text>
            <Badge size="xs" variant="light" color={u.current ? 'blue' : 'gray'}>
              {t(`unitType.${u.type}`)}
            </Badge>
            {hasChildren ? (
              <Text size="xs" c="dimmed">
                {t('orgUnits.childCount', { count: node.children.length })}
              </Text>
            ) : null}
          </Group>
          <MergedNote unit={u} byId={byId} />
        </Box>
      </Group>
      {open && node.children.map((c) => <Node key={c.unit.id} node={c} level={level + 1} byId={byId} onSelect={onSelect} defaultOpen={level < 0} />)}
    </>
  );
}

/** The unit hierarchy; the first level is open, deeper levels expand on demand. */
export function UnitTree({ roots, byId, onSelect }: { roots: UnitNode[]; byId: Map<string, OrgUnit>; onSelect: (u: OrgUnit) => void }) {
  return (
    <Box data-testid="unit-tree">
      {roots.map((n) => (
        <Node key={n.unit.id} node={n} level={0} byId={byId} onSelect={onSelect} defaultOpen />
      ))}
    </Box>
  );
}
