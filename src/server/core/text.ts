/**
 * Vietnamese text folding for search and matching: NFD, combining marks (tones and vowel hats) removed,
 * đ/Đ → d, lower case, whitespace collapsed. "Nguyễn Văn An" → "nguyen van an"; "Thuỷ" and "Thủy" fold alike.
 */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
