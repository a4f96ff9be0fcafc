import type { PeopleFilterQuery } from '../../../contracts/org.js';
import type { Actor } from '../../core/actor.js';
import { writeCsv, writeXlsx } from '../../engines/tabular/tabular.js';
import type { OrgDeps } from './org-unit.service.js';
import { can } from './org.policy.js';
import { listAllPeople } from './person.repository.js';
import { peopleFilterFor } from './person.service.js';

/** Column headers of an export: the Vietnamese import names, so an export can be edited and re-imported. */
export const EXPORT_HEADER = ['ma_can_bo', 'ho_ten', 'cccd_che', 'ngay_sinh', 'gioi_tinh', 'email', 'dien_thoai', 'ma_don_vi', 'ten_don_vi', 'chuc_vu', 'trang_thai', 'ngay_hieu_luc'];

const STATUS_VI: Record<string, string> = {
  active: 'đang công tác', retired: 'nghỉ hưu', transferred: 'chuyển công tác', on_leave: 'nghỉ phép', dismissed: 'thôi việc', deceased: 'từ trần',
};

/**
 * Export the roster the actor may read, narrowed by the same filters as the list (`q`, `unitId`, `subtree`,
 * `status`), as CSV (UTF-8 with BOM, for Excel) or XLSX. Cells are formula-safe;
 * the CCCD column holds only the masked form, and only where the actor holds person.read_citizen_id
 * (`cccd_che` is not an import column, so a re-import never mistakes it for a real CCCD).
 */
export async function exportPeople(
  deps: OrgDeps,
  actor: Actor,
  format: 'csv' | 'xlsx',
  filter: PeopleFilterQuery,
): Promise<{ body: Buffer; contentType: string; fileName: string }> {
  const rows = await listAllPeople(deps.db, await peopleFilterFor(deps, actor, filter));
  const data = rows.map((p) => [
    p.id,
    p.full_name,
    can(actor, 'person.read_citizen_id', p.unit_path) ? p.citizen_id_masked : null,
    p.date_of_birth,
    p.gender === 'male' ? 'Nam' : p.gender === 'female' ? 'Nữ' : null,
    p.email,
    p.phone,
    p.unit_code,
    p.unit_name,
    p.position,
    STATUS_VI[p.status] ?? p.status,
    p.status_since,
  ]);
  const stamp = new Date(deps.clock()).toISOString().slice(0, 10);
  if (format === 'xlsx') {
    return {
      body: await writeXlsx('Can bo', EXPORT_HEADER, data),
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      fileName: `can-bo-${stamp}.xlsx`,
    };
  }
  return { body: writeCsv(EXPORT_HEADER, data), contentType: 'text/csv; charset=utf-8', fileName: `can-bo-${stamp}.csv` };
}
