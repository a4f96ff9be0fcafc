/**
 * Fold Vietnamese text for search: lower case, decompose (NFD), drop combining marks, đ→d, collapse spaces.
 * "Nguyễn Văn An" and "nguyen van an" fold to the same string, so a user can search without diacritics.
 */
export function foldText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escape `%`, `_` and `\` for a LIKE pattern used with `escape '\'`. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Alias of foldText under the name other modules import. */
export const foldVietnamese = foldText;
