import { Group, Pagination, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/**
 * "Trang X / Y" and the page buttons under a list; nothing when the list fits on one page. `maxPages` caps the
 * buttons where the server pages no further (the event search).
 */
export function ListPager({ page, pages, onChange, maxPages }: { page: number; pages: number; onChange: (page: number) => void; maxPages?: number }) {
  const { t } = useTranslation();
  if (pages <= 1) return null;
  return (
    <Group justify="space-between" mt="md" data-testid="list-pager">
      <Text size="sm" c="dimmed" data-testid="list-pager-text">
        {t('common.pageOf', { page, pages })}
      </Text>
      <Pagination total={maxPages === undefined ? pages : Math.min(pages, maxPages)} value={page} onChange={onChange} size="sm" />
    </Group>
  );
}
