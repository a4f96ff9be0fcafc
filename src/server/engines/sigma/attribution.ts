import type { RuleInfo } from './types.js';

/**
 * The Detection Rule License 1.1 (SigmaHQ rules) requires the rule's author to be shown wherever a match is
 * shown (research/soc.md §2.5). Every view of a match uses this text.
 */
export function ruleAttribution(rule: Pick<RuleInfo, 'title' | 'author'> & { license?: string }): string {
  const author = rule.author?.trim() || 'unknown author';
  return `${rule.title} — ${author}${rule.license ? ` (${rule.license})` : ''}`;
}
