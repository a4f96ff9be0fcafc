import type { TFunction } from 'i18next';
import { UNIT_TYPES, type OrgUnit } from '../../../contracts/org.js';

export function unitTypeOptions(t: TFunction) {
  return UNIT_TYPES.map((value) => ({ value, label: t(`unitType.${value}`) }));
}

/** Options for a unit picker; former units only when asked, labelled as such. */
export function unitOptions(units: OrgUnit[] | undefined, t: TFunction, { includeFormer = false } = {}) {
  return (units ?? [])
    .filter((u) => includeFormer || u.current)
    .slice()
    .sort((a, b) => a.name.localeCompare(b.name, 'vi'))
    .map((u) => ({ value: u.id, label: u.current ? u.name : `${u.name} (${t('orgUnits.former')})` }));
}
