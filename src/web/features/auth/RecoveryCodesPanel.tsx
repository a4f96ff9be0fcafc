import { Alert, Button, Checkbox, Code, SimpleGrid, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Recovery codes are shown exactly once; the user confirms having saved them before moving on. */
export function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  return (
    <Stack data-testid="recovery-codes">
      <Alert color="yellow" variant="light" title={t('auth.recovery.title')}>
        {t('auth.recovery.explain')}
      </Alert>
      <SimpleGrid cols={2} spacing="xs">
        {codes.map((c) => (
          <Code key={c} fz="md" data-testid="recovery-code">
            {c}
          </Code>
        ))}
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {t('auth.recovery.onlyOnce')}
      </Text>
      <Checkbox label={t('auth.recovery.saved')} checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} data-testid="recovery-saved" />
      <Button disabled={!saved} onClick={onDone} data-testid="recovery-continue">
        {t('common.continue')}
      </Button>
    </Stack>
  );
}
