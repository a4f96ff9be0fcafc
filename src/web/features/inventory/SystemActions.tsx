import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { InformationSystem } from '../../../contracts/inventory.js';
import type { OrgUnit } from '../../../contracts/org.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { notifySuccess } from '../../components/notify.js';
import { useDeleteSystem } from './api.js';
import { CreateSystemModal } from './CreateSystemModal.js';

/** Edit (the registration form, prefilled) and delete (after confirmation) one system. */
export function SystemActions({ system, units }: { system: InformationSystem; units: OrgUnit[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteSystem(system.id);
  const close = () => {
    remove.reset();
    setConfirming(false);
  };
  return (
    <>
      <Group gap="xs">
        <Button variant="default" size="xs" leftSection={<IconPencil size={14} />} onClick={() => setEditing(true)} data-testid="system-edit">
          {t('inventory.edit')}
        </Button>
        <Button variant="subtle" color="red" size="xs" leftSection={<IconTrash size={14} />} onClick={() => setConfirming(true)} data-testid="system-delete">
          {t('common.delete')}
        </Button>
      </Group>
      {editing ? <CreateSystemModal opened onClose={() => setEditing(false)} units={units} system={system} /> : null}
      <Modal opened={confirming} onClose={close} title={t('inventory.deleteTitle')} data-testid="system-delete-modal">
        <Stack>
          <Text size="sm">{t('inventory.deleteConfirm', { name: system.name, code: system.code })}</Text>
          <Text size="sm" c="dimmed">{t('inventory.deleteHint')}</Text>
          <ErrorAlert error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>{t('common.cancel')}</Button>
            <Button color="red" loading={remove.isPending} data-testid="system-delete-confirm"
              onClick={() => remove.mutate(undefined, {
                onSuccess: () => {
                  notifySuccess(t('inventory.deleted', { name: system.name }));
                  void navigate('/systems');
                },
              })}>
              {t('inventory.deleteSubmit')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
