import { Paper, Stack, Text } from '@mantine/core';
import type { Icon } from '@tabler/icons-react';

export function EmptyState({ icon: IconC, title, text }: { icon: Icon; title: string; text?: string }) {
  return (
    <Paper withBorder p="xl" data-testid="empty-state">
      <Stack align="center" gap={6}>
        <IconC size={36} stroke={1.3} color="var(--mantine-color-gray-5)" />
        <Text fw={600}>{title}</Text>
        {text ? (
          <Text size="sm" c="dimmed" ta="center" maw={520}>
            {text}
          </Text>
        ) : null}
      </Stack>
    </Paper>
  );
}
