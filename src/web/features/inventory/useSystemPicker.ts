import type { OptionsFilter } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useSystems } from './api.js';

/** How a system is named in pickers: "code — name". */
export const systemLabel = (s: { code: string; name: string }) => `${s.code} — ${s.name}`;

// The server already matched the search (diacritics folded); Mantine must not filter its answer again.
const serverFiltered: OptionsFilter = ({ options }) => options;

/**
 * State of an information-system picker (Mantine Select or MultiSelect): systems are searched on the server as the
 * user types (debounced), and every chosen system keeps its label whatever a later search returns. Spread `props`
 * on the picker and call `keep` with the chosen ids from its onChange.
 */
export function useSystemPicker(initial: readonly { id: string; label: string }[]) {
  const [known, setKnown] = useState<Record<string, string>>(() => Object.fromEntries(initial.map((s) => [s.id, s.label])));
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const systems = useSystems({ q: debounced.trim() || undefined, page: 1, pageSize: 30 });
  const labels: Record<string, string> = { ...known, ...Object.fromEntries((systems.data?.items ?? []).map((s) => [s.id, systemLabel(s)])) };
  return {
    props: {
      searchable: true,
      data: Object.entries(labels).map(([value, label]) => ({ value, label })),
      searchValue: search,
      onSearchChange: setSearch,
      filter: serverFiltered,
    },
    searching: systems.isFetching,
    keep: (ids: readonly string[]) => setKnown((k) => ({ ...k, ...Object.fromEntries(ids.filter((id) => labels[id]).map((id) => [id, labels[id]!])) })),
  };
}
