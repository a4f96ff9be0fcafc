import { Alert, Button, Code, CopyButton, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { UserCreateSchema, type OrgUnit } from '../../../contracts/org.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { blankToNull, zodValidator } from '../../components/form.js';
import { unitOptions } from '../org-units/labels.js';
import { useCreateUser, type UserCreated } from './api.js';

interface Values {
  username: string;
  displayName: string;
  email: string;
  unitId: string | null;
}

/** Create a platform user; the one-time initial password is shown here once and never again. */
export function CreateUserModal({ opened, onClose, units }: { opened: boolean; onClose: () => void; units: OrgUnit[] }) {
  const { t } = useTranslation();
  const create = useCreateUser();
  const [created, setCreated] = useState<UserCreated | null>(null);
  const toBody = (v: Values) => blankToNull({ ...v, unitId: v.unitId ?? '' });
  const form = useForm<Values>({
    initialValues: { username: '', displayName: '', email: '', unitId: null },
    validate: (v) => ({ ...zodValidator(UserCreateSchema, toBody)(v), ...(v.unitId ? {} : { unitId: t('validation.required') }) }),
  });
  const close = () => {
    setCreated(null);
    form.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={t('users.createTitle')} size="lg" closeOnClickOutside={!created}>
      {created ? (
        <Stack data-testid="user-created">
          <Alert color="yellow" variant="light" title={t('users.initialPasswordTitle')}>
            {t('users.initialPasswordExplain', { username: created.user.username })}
          </Alert>
          <Group>
            <Code fz="lg" data-testid="initial-password">
              {created.initialPassword}
            </Code>
            <CopyButton value={created.initialPassword}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy}>
                  {copied ? t('common.copied') : t('common.copy')}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Button onClick={close}>{t('common.done')}</Button>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) => create.mutate(UserCreateSchema.parse(toBody(v)), { onSuccess: setCreated }))}>
          <Stack>
            <TextInput label={t('users.field.username')} description={t('users.usernameHint')} withAsterisk data-testid="user-username" {...form.getInputProps('username')} />
            <TextInput label={t('users.field.displayName')} withAsterisk data-testid="user-display-name" {...form.getInputProps('displayName')} />
            <TextInput label={t('users.field.email')} {...form.getInputProps('email')} />
            <Select label={t('users.field.unit')} searchable withAsterisk data={unitOptions(units, t)} data-testid="user-create-unit" {...form.getInputProps('unitId')} />
            <Text size="xs" c="dimmed">
              {t('users.createNote')}
            </Text>
            <ErrorAlert error={create.error} />
            <Button type="submit" loading={create.isPending} data-testid="user-create-submit">
              {t('users.create')}
            </Button>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
