import { Text, type TextProps } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/**
 * The rule's author, shown wherever a rule or a match of it is shown: the Detection Rule License 1.1 of
 * SigmaHQ's rules requires it (research/soc.md §2.5). Alert pages use this too.
 */
export function RuleAttribution({ author, title, ...props }: { author: string | null | undefined; title?: string } & TextProps) {
  const { t } = useTranslation();
  return (
    <Text size="xs" c="dimmed" {...props} data-testid="rule-author">
      {title ? `${title} · ` : ''}
      {t('rules.by', { author: author?.trim() || t('rules.unknownAuthor') })}
    </Text>
  );
}
