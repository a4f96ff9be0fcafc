import {
  ASSET_KIND_LABELS, type Asset, type InformationSystem, SYSTEM_STATUS_LABELS, SYSTEM_TYPE_LABELS, TRANSITION_LABELS,
} from '../../../contracts/inventory.js';
import { foldText } from '../../core/text.js';
import { parseDateCell } from '../org/import-common.js';

/**
 * The columns of the inventory workbook, in the layout officials fill in by hand: Vietnamese headers, one
 * sheet per entity, and a "Mã định danh" (id) column so an edited export re-imports as updates.
 * Each column names the API field it feeds; `exportOnly` columns are computed and ignored on import.
 */

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };
const ok = (value: unknown): Parsed => ({ ok: true, value });
const bad = (message: string): Parsed => ({ ok: false, message });

export interface Column<T> {
  header: string;
  /** Dotted API field (e.g. `information.personalSubjects`); null for export-only columns. */
  field: string | null;
  get(x: T): string | number | null;
  parse?(cell: string): Parsed;
  /** The values a cell may take, for columns with a fixed list (named in error messages). */
  allowed?: string[];
}

function labelled<K extends string>(labels: Record<K, string>, what: string, extra: Record<string, NoInfer<K>> = {}) {
  const byFold = new Map<string, K>();
  for (const [k, v] of Object.entries(labels) as [K, string][]) {
    byFold.set(foldText(v), k);
    byFold.set(foldText(k.replace(/_/g, ' ')), k);
  }
  for (const [alias, k] of Object.entries(extra)) byFold.set(foldText(alias), k);
  return {
    get: (k: K | null) => (k ? labels[k] : null),
    parse: (cell: string): Parsed => {
      const k = byFold.get(foldText(cell));
      return k ? ok(k) : bad(`${what} "${cell}" không hợp lệ; chọn một trong: ${Object.values<string>(labels).join('; ')}.`);
    },
    allowed: Object.values<string>(labels),
  };
}

const YES_NO = ['Có', 'Không'];
const YES = new Set(['co', 'x', 'yes', 'true', '1', 'dung']);
const NO = new Set(['khong', 'no', 'false', '0', 'sai']);
export const yesNo = {
  get: (v: boolean) => (v ? 'Có' : 'Không'),
  parse: (cell: string): Parsed => {
    const f = foldText(cell);
    return YES.has(f) ? ok(true) : NO.has(f) ? ok(false) : bad(`giá trị "${cell}" không hợp lệ (Có/Không).`);
  },
};
export function intCell(min: number, max: number) {
  return (cell: string): Parsed => {
    const n = Number(cell.replace(/[.\s,]/g, ''));
    return Number.isInteger(n) && n >= min && n <= max ? ok(n) : bad(`"${cell}" phải là số nguyên từ ${min} đến ${max.toLocaleString('vi-VN')}.`);
  };
}
const dateCell = (cell: string): Parsed => {
  const d = parseDateCell(cell);
  return d ? ok(d) : bad(`ngày "${cell}" không hợp lệ (DD/MM/YYYY hoặc YYYY-MM-DD).`);
};
const text = (max: number) => (cell: string): Parsed => (cell.length <= max ? ok(cell) : bad(`dài quá ${max} ký tự.`));
const list = (cell: string) => cell.split(/[;\n]/).map((s) => s.trim()).filter(Boolean);

const type = labelled(SYSTEM_TYPE_LABELS, 'loại hệ thống', { 'noi bo': 'internal', 'nguoi dan': 'citizen_service', 'ha tang': 'infrastructure' });
const status = labelled(SYSTEM_STATUS_LABELS, 'trạng thái', { 'van hanh': 'in_operation', 'dang van hanh': 'in_operation', 'ke hoach': 'planned', 'ngung': 'retired' });
const origin = labelled({ bd: 'Bình Định', gl: 'Gia Lai (cũ)', new: 'Mới' } as const, 'nguồn gốc', { 'gia lai': 'gl', 'gia lai cu': 'gl', 'moi': 'new' });
const secret = labelled({ none: 'Không', mat: 'Mật', toi_mat: 'Tối mật', tuyet_mat: 'Tuyệt mật' } as const, 'độ mật');
const infra = labelled({ none: 'Không', single_agency: 'Một cơ quan', sector_or_provinces: 'Ngành, một hoặc một số tỉnh', nationwide: 'Toàn quốc' } as const, 'phạm vi hạ tầng', { tinh: 'sector_or_provinces', 'dung chung tinh': 'sector_or_provinces' });
const ics = labelled({ none: 'Không', IV: 'IV', III: 'III', II: 'II', I: 'I', special: 'Đặc biệt' } as const, 'cấp công trình');
const impact = labelled({ none: 'Không', harm: 'Gây tổn hại', serious: 'Nghiêm trọng', especially_serious: 'Đặc biệt nghiêm trọng' } as const, 'mức ảnh hưởng an ninh quốc gia');
const hosting = labelled({ provincial_data_centre: 'Trung tâm dữ liệu tỉnh', unit_server_room: 'Phòng máy chủ của đơn vị', vendor_cloud: 'Đám mây nhà cung cấp', national_platform: 'Nền tảng quốc gia', other: 'Khác' } as const, 'nơi đặt hệ thống');
const kind = labelled(ASSET_KIND_LABELS, 'loại tài sản');
const assetStatus = labelled({ in_use: 'Đang sử dụng', spare: 'Dự phòng', retired: 'Ngừng sử dụng' } as const, 'trạng thái tài sản');
const reuse = labelled({ reuse: 'Tái sử dụng', transfer: 'Điều chuyển', dispose: 'Thanh lý' } as const, 'phương án sau hợp nhất');
const level = intCell(1, 5);

/** Approval documents as "số|ngày|trích yếu; …". */
function docsGet(docs: InformationSystem['approvalDocuments']): string {
  return docs.map((d) => [d.number, d.date ?? '', d.title ?? ''].join('|').replace(/\|+$/, '')).join('; ');
}
function docsParse(cell: string): Parsed {
  const out = [];
  for (const item of list(cell)) {
    const [number, date, ...title] = item.split('|').map((s) => s.trim());
    const d = date ? parseDateCell(date) : null;
    if (!number || d === undefined) return bad(`văn bản "${item}" không đúng dạng "số|ngày|trích yếu".`);
    out.push({ number, date: d, title: title.join('|') || null });
  }
  return ok(out);
}

/** Software as "hãng|sản phẩm|phiên bản|CPE; …". */
function softwareGet(sw: Asset['software']): string {
  return sw.map((s) => [s.vendor ?? '', s.product, s.version ?? '', s.cpe ?? ''].join('|').replace(/\|+$/, '')).join('; ');
}
function softwareParse(cell: string): Parsed {
  const out = [];
  for (const item of list(cell)) {
    const [vendor, product, version, cpe] = item.split('|').map((s) => s.trim());
    if (!product) return bad(`phần mềm "${item}" không đúng dạng "hãng|sản phẩm|phiên bản|CPE".`);
    out.push({ vendor: vendor || null, product, version: version || null, cpe: cpe || null });
  }
  return ok(out);
}

type S = InformationSystem & { parentCode: string | null };

export const SYSTEM_COLUMNS: Column<S>[] = [
  { header: 'Mã định danh', field: 'id', get: (s) => s.id, parse: text(64) },
  { header: 'Mã hệ thống', field: 'code', get: (s) => s.code, parse: text(50) },
  { header: 'Tên hệ thống', field: 'name', get: (s) => s.name, parse: text(300) },
  { header: 'Mục đích', field: 'purpose', get: (s) => s.purpose, parse: text(2000) },
  { header: 'Loại hệ thống', field: 'type', get: (s) => type.get(s.type), parse: type.parse, allowed: type.allowed },
  { header: 'Mã đơn vị chủ quản', field: 'ownerUnitCode', get: (s) => s.ownerUnit.code, parse: text(50) },
  { header: 'Mã đơn vị vận hành', field: 'operatingUnitCode', get: (s) => s.operatingUnit?.code ?? null, parse: text(50) },
  { header: 'Mã đơn vị chuyên trách an ninh mạng', field: 'securityUnitCode', get: (s) => s.securityUnit?.code ?? null, parse: text(50) },
  { header: 'Mã hệ thống cha', field: 'parentCode', get: (s) => s.parentCode, parse: text(50) },
  { header: 'Nguồn gốc', field: 'origin', get: (s) => origin.get(s.origin), parse: origin.parse, allowed: origin.allowed },
  { header: 'Trạng thái', field: 'status', get: (s) => status.get(s.status), parse: status.parse, allowed: status.allowed },
  { header: 'Số người dùng nội bộ', field: 'internalUsers', get: (s) => s.internalUsers, parse: intCell(0, 1e9) },
  { header: 'Số người dùng bên ngoài', field: 'externalUsers', get: (s) => s.externalUsers, parse: intCell(0, 1e9) },
  { header: 'Thông tin công cộng', field: 'information.public', get: (s) => yesNo.get(s.information.public), parse: yesNo.parse, allowed: YES_NO },
  { header: 'Thông tin riêng', field: 'information.private', get: (s) => yesNo.get(s.information.private), parse: yesNo.parse, allowed: YES_NO },
  { header: 'Thông tin cá nhân', field: 'information.personal', get: (s) => yesNo.get(s.information.personal), parse: yesNo.parse, allowed: YES_NO },
  { header: 'Số chủ thể dữ liệu cá nhân', field: 'information.personalSubjects', get: (s) => s.information.personalSubjects, parse: intCell(0, 1e9) },
  { header: 'Thông tin cá nhân nhạy cảm', field: 'information.sensitivePersonal', get: (s) => yesNo.get(s.information.sensitivePersonal), parse: yesNo.parse, allowed: YES_NO },
  { header: 'Số chủ thể dữ liệu nhạy cảm', field: 'information.sensitiveSubjects', get: (s) => s.information.sensitiveSubjects, parse: intCell(0, 1e9) },
  { header: 'Bí mật nhà nước', field: 'information.stateSecret', get: (s) => secret.get(s.information.stateSecret), parse: secret.parse, allowed: secret.allowed },
  { header: 'Mức độ dịch vụ công trực tuyến', field: 'onlineServiceLevel', get: (s) => s.onlineServiceLevel, parse: intCell(0, 4) },
  { header: 'Giải quyết thủ tục hành chính', field: 'administrativeProcedure', get: (s) => yesNo.get(s.administrativeProcedure), parse: yesNo.parse, allowed: YES_NO },
  { header: 'Kinh doanh có điều kiện', field: 'conditionalBusiness', get: (s) => yesNo.get(s.conditionalBusiness), parse: yesNo.parse, allowed: YES_NO },
  { header: 'Phạm vi hạ tầng dùng chung', field: 'infrastructureScope', get: (s) => infra.get(s.infrastructureScope), parse: infra.parse, allowed: infra.allowed },
  { header: 'Cấp công trình (điều khiển công nghiệp)', field: 'icsWorkGrade', get: (s) => ics.get(s.icsWorkGrade), parse: ics.parse, allowed: ics.allowed },
  { header: 'Chính phủ điện tử quốc gia 24/7', field: 'nationalEgov24x7', get: (s) => yesNo.get(s.nationalEgov24x7), parse: yesNo.parse, allowed: YES_NO },
  { header: 'Ảnh hưởng an ninh quốc gia', field: 'nationalSecurityImpact', get: (s) => impact.get(s.nationalSecurityImpact), parse: impact.parse, allowed: impact.allowed },
  { header: 'Kết nối LGSP', field: 'connections.lgsp', get: (s) => yesNo.get(s.connections.lgsp), parse: yesNo.parse, allowed: YES_NO },
  { header: 'Kết nối NDXP', field: 'connections.ndxp', get: (s) => yesNo.get(s.connections.ndxp), parse: yesNo.parse, allowed: YES_NO },
  { header: 'Kết nối CSDL quốc gia về dân cư', field: 'connections.nationalPopulationDb', get: (s) => yesNo.get(s.connections.nationalPopulationDb), parse: yesNo.parse, allowed: YES_NO },
  {
    header: 'Kết nối hệ thống khác', field: 'connections.others', get: (s) => s.connections.others.map((o) => o.name).join('; '),
    parse: (c) => ok(list(c).map((name) => ({ systemId: null, name }))),
  },
  { header: 'Nơi đặt hệ thống', field: 'hosting', get: (s) => hosting.get(s.hosting), parse: hosting.parse, allowed: hosting.allowed },
  { header: 'Chi tiết nơi đặt', field: 'hostingDetail', get: (s) => s.hostingDetail, parse: text(500) },
  { header: 'RTO (phút)', field: 'rtoMinutes', get: (s) => s.rtoMinutes, parse: intCell(0, 1e7) },
  { header: 'RPO (phút)', field: 'rpoMinutes', get: (s) => s.rpoMinutes, parse: intCell(0, 1e7) },
  { header: 'Văn bản phê duyệt (số|ngày|trích yếu)', field: 'approvalDocuments', get: (s) => docsGet(s.approvalDocuments), parse: docsParse },
  { header: 'Cấp độ theo NĐ 85/2016', field: 'legacyLevel', get: (s) => s.legacyLevel.level, parse: level },
  { header: 'Số hồ sơ NĐ 85', field: 'legacyDossierNo', get: (s) => s.legacyLevel.dossierNo, parse: text(100) },
  { header: 'Số quyết định phê duyệt NĐ 85', field: 'legacyDecisionNo', get: (s) => s.legacyLevel.decisionNo, parse: text(100) },
  { header: 'Ngày phê duyệt NĐ 85', field: 'legacyDecisionDate', get: (s) => s.legacyLevel.decisionDate, parse: dateCell },
  { header: 'Cấp độ theo NĐ 331/2026', field: 'newLevel', get: (s) => s.newLevel.level, parse: level },
  { header: 'Số hồ sơ NĐ 331', field: 'newDossierNo', get: (s) => s.newLevel.dossierNo, parse: text(100) },
  { header: 'Số quyết định phê duyệt NĐ 331', field: 'newDecisionNo', get: (s) => s.newLevel.decisionNo, parse: text(100) },
  { header: 'Ngày phê duyệt NĐ 331', field: 'newDecisionDate', get: (s) => s.newLevel.decisionDate, parse: dateCell },
  { header: 'Cấp độ đề xuất (chỉ xem)', field: null, get: (s) => s.proposedLevel },
  { header: 'Tình trạng chuyển tiếp (chỉ xem)', field: null, get: (s) => TRANSITION_LABELS[s.transition.state] },
];

export const ASSET_COLUMNS: Column<Asset>[] = [
  { header: 'Mã định danh', field: 'id', get: (a) => a.id, parse: text(64) },
  { header: 'Mã tài sản', field: 'code', get: (a) => a.code, parse: text(80) },
  { header: 'Loại tài sản', field: 'kind', get: (a) => kind.get(a.kind), parse: kind.parse, allowed: kind.allowed },
  { header: 'Tên tài sản', field: 'name', get: (a) => a.name, parse: text(300) },
  { header: 'Tên máy (hostname)', field: 'hostname', get: (a) => a.hostname, parse: text(253) },
  { header: 'Địa chỉ IP', field: 'ips', get: (a) => a.ips.join('; '), parse: (c) => ok(list(c)) },
  { header: 'Hệ điều hành', field: 'osName', get: (a) => a.osName, parse: text(200) },
  { header: 'Phiên bản hệ điều hành', field: 'osVersion', get: (a) => a.osVersion, parse: text(100) },
  { header: 'Phần mềm (hãng|sản phẩm|phiên bản|CPE)', field: 'software', get: (a) => softwareGet(a.software), parse: softwareParse },
  { header: 'Vị trí', field: 'location', get: (a) => a.location, parse: text(300) },
  { header: 'Mã đơn vị sở hữu', field: 'ownerUnitCode', get: (a) => a.ownerUnit.code, parse: text(50) },
  { header: 'Trạng thái', field: 'status', get: (a) => assetStatus.get(a.status), parse: assetStatus.parse, allowed: assetStatus.allowed },
  { header: 'Mã hệ thống phục vụ', field: 'systemCodes', get: (a) => a.systems.map((s) => s.code).join('; '), parse: (c) => ok(list(c)) },
  { header: 'Phương án sau hợp nhất', field: 'reuseDisposition', get: (a) => reuse.get(a.reuseDisposition), parse: reuse.parse, allowed: reuse.allowed },
  { header: 'Mã đơn vị tiếp nhận', field: 'reuseTargetUnitCode', get: (a) => a.reuseTargetUnit?.code ?? null, parse: text(50) },
  { header: 'Quyết định của phương án', field: 'reuseDecision', get: (a) => a.reuseDecision, parse: text(300) },
  { header: 'Ghi chú', field: 'notes', get: (a) => a.notes, parse: text(2000) },
];

/** Header (folded) → column, for reading sheets whose columns were reordered. */
export function columnIndex<T>(columns: Column<T>[]): Map<string, Column<T>> {
  return new Map(columns.filter((c) => c.field).map((c) => [foldText(c.header), c]));
}
