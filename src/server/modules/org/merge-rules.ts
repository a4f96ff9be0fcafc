/**
 * The rules a merger must satisfy, shared by POST /org-units/:id/merge and the org-unit import so both refuse
 * the same things with the same words. Pure functions over plain dates (ISO `YYYY-MM-DD`, which sort as text).
 */

/** Why a merger is refused: a stable code, the request field at fault, and a Vietnamese message. */
export interface MergeProblem {
  code: string;
  field: 'intoId' | 'mergedOn';
  message: string;
}

const viDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

export const MERGE_SELF: MergeProblem = { code: 'org_unit.merge_self', field: 'intoId', message: 'Không thể sáp nhập đơn vị vào chính nó.' };
export const MERGE_DESCENDANT: MergeProblem = {
  code: 'org_unit.merge_descendant',
  field: 'intoId',
  message: 'Không thể sáp nhập đơn vị vào đơn vị cấp dưới của nó.',
};
export const MERGE_TARGET_CEASED: MergeProblem = {
  code: 'org_unit.target_ceased',
  field: 'intoId',
  message: 'Đơn vị tiếp nhận đã ngừng tồn tại vào ngày sáp nhập.',
};

/**
 * A unit's last valid day is the day before its merger, so the merger must fall strictly after the day it began
 * (`validFrom`); otherwise its validity would end before it started.
 */
export function mergedOnProblem(validFrom: string | null, mergedOn: string, fieldName: string | null = 'mergedOn'): MergeProblem | null {
  if (validFrom === null || mergedOn > validFrom) return null;
  return {
    code: 'org_unit.merged_on_before_valid_from',
    field: 'mergedOn',
    message: `Ngày sáp nhập${fieldName ? ` (${fieldName})` : ''} ${viDate(mergedOn)} phải sau ngày đơn vị bắt đầu hiệu lực ${viDate(validFrom)}.`,
  };
}

/** The message as a clause after "Tệp …, dòng …, cột …:" in import problems. */
export function asClause(p: MergeProblem): string {
  return p.message.charAt(0).toLowerCase() + p.message.slice(1);
}

/** Whether a unit whose last valid day is `validTo` no longer exists on `date`. */
export function ceasedBefore(validTo: string | null, date: string): boolean {
  return validTo !== null && validTo < date;
}
