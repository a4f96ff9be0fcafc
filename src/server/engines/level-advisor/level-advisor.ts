/**
 * Level advisor: proposes an information system's security level (cấp độ 1–5) from its facts, under the
 * legacy regime (NĐ 85/2016/NĐ-CP) or the current one (NĐ 331/2026/NĐ-CP), and explains every rule that
 * fired. Pure: no I/O, no clock. The proposal is advice; the owner (chủ quản) confirms or overrides it.
 *
 * Sources: ../shared/research/vn-regulations.md §1 (NĐ 85 Đ5–11, statute text) and §2.2 (NĐ 331 Đ8–15,
 * third-party summaries [3P] — clause numbers to be re-checked against Công báo before relying on them).
 */

export type Regime = 'nd85' | 'nd331';
export type Level = 1 | 2 | 3 | 4 | 5;

export interface LevelFacts {
  type: 'internal' | 'citizen_service' | 'infrastructure' | 'industrial_control' | 'other';
  information: {
    public: boolean;
    private: boolean;
    personal: boolean;
    personalSubjects: number | null;
    sensitivePersonal: boolean;
    sensitiveSubjects: number | null;
    stateSecret: 'none' | 'mat' | 'toi_mat' | 'tuyet_mat';
  };
  /** Legacy online public-service level 1–4 (0/null: none). */
  onlineServiceLevel: number | null;
  administrativeProcedure: boolean;
  conditionalBusiness: boolean;
  infrastructureScope: 'none' | 'single_agency' | 'sector_or_provinces' | 'nationwide';
  icsWorkGrade: 'none' | 'IV' | 'III' | 'II' | 'I' | 'special';
  nationalEgov24x7: boolean;
  nationalSecurityImpact: 'none' | 'harm' | 'serious' | 'especially_serious';
  /** Users of an online service (NĐ 85 counts users, not data subjects). */
  externalUsers?: number | null;
  /** Levels of the parts of a composite system (decided levels where known). */
  parts?: { code: string; name: string; level: Level }[];
}

export interface Reason {
  ruleId: string;
  clause: string;
  level: Level;
  /** Vietnamese sentence (the stored, authoritative wording). */
  text: string;
  /** The figures in the sentence, so a client can word it in another language (web i18n `inventory.advisorRules.<ruleId>`). */
  params?: Record<string, string | number>;
}

export interface Proposal {
  regime: Regime;
  level: Level;
  reasons: Reason[];
}

/** NĐ 331/2026 thresholds on data subjects of an online service (Đ12–13, [3P]). */
export const ND331_BASIC_SUBJECTS = 100_000;
export const ND331_SENSITIVE_SUBJECTS = 10_000;
/** NĐ 85/2016 threshold on users whose private/personal information an online service processes (Đ8–9). */
export const ND85_USERS = 10_000;

const fmt = (n: number) => n.toLocaleString('vi-VN');

function personalCount(f: LevelFacts): number {
  return f.information.personal ? (f.information.personalSubjects ?? 0) : 0;
}
function sensitiveCount(f: LevelFacts): number {
  return f.information.sensitivePersonal ? (f.information.sensitiveSubjects ?? 0) : 0;
}
function handlesPrivateOrPersonal(f: LevelFacts): boolean {
  return f.information.private || f.information.personal || f.information.sensitivePersonal;
}

/** Rules shared by both regimes where the criteria did not change (clause per regime). */
function commonRules(f: LevelFacts, regime: Regime, add: (r: Reason) => void): void {
  const c = (nd85: string, nd331: string) => (regime === 'nd85' ? nd85 : nd331);

  // Level 1 (NĐ 85 Đ7; NĐ 331 Đ11): internal system processing only public information.
  if (f.type === 'internal' && !handlesPrivateOrPersonal(f) && f.information.stateSecret === 'none') {
    add({ ruleId: 'internal_public_only', clause: c('NĐ 85/2016 Điều 7', 'NĐ 331/2026 Điều 11'), level: 1, text: 'Hệ thống phục vụ hoạt động nội bộ, chỉ xử lý thông tin công cộng.' });
  }
  // Level 2 (NĐ 85 Đ8; NĐ 331 Đ12): internal system with private/personal information, no state secret.
  if (f.type === 'internal' && handlesPrivateOrPersonal(f)) {
    add({ ruleId: 'internal_private', clause: c('NĐ 85/2016 Điều 8', 'NĐ 331/2026 Điều 12'), level: 2, text: 'Hệ thống nội bộ có xử lý thông tin riêng hoặc thông tin cá nhân.' });
  }
  // Level 2: a system serving citizens/businesses online is at least level 2 (information provision, online services).
  if (f.type === 'citizen_service') {
    add({ ruleId: 'citizen_service', clause: c('NĐ 85/2016 Điều 8', 'NĐ 331/2026 Điều 12'), level: 2, text: 'Hệ thống phục vụ người dân, doanh nghiệp (cung cấp thông tin, dịch vụ trực tuyến).' });
  }
  // Level 3: online services in the conditional-business list.
  if (f.conditionalBusiness) {
    add({ ruleId: 'conditional_business', clause: c('NĐ 85/2016 Điều 9', 'NĐ 331/2026 Điều 13'), level: 3, text: 'Cung cấp dịch vụ trực tuyến thuộc danh mục ngành nghề kinh doanh có điều kiện.' });
  }
  // State secrets / defence and security: level 3; serious national-security harm → 4; especially serious → 5
  // (NĐ 85 Đ9–11 with Luật 86/2015 Đ21; NĐ 331 Đ13–15).
  if (f.information.stateSecret !== 'none' || f.nationalSecurityImpact === 'harm') {
    add({ ruleId: 'state_secret', clause: c('NĐ 85/2016 Điều 9', 'NĐ 331/2026 Điều 13'), level: 3, text: 'Xử lý thông tin bí mật nhà nước hoặc phục vụ quốc phòng, an ninh: bị phá hoại sẽ gây tổn hại quốc phòng, an ninh quốc gia.' });
  }
  if (f.nationalSecurityImpact === 'serious') {
    add({ ruleId: 'national_security_serious', clause: c('NĐ 85/2016 Điều 10', 'NĐ 331/2026 Điều 14'), level: 4, text: 'Bị phá hoại sẽ gây tổn hại nghiêm trọng quốc phòng, an ninh quốc gia.' });
  }
  if (f.nationalSecurityImpact === 'especially_serious') {
    add({ ruleId: 'national_security_especially_serious', clause: c('NĐ 85/2016 Điều 11', 'NĐ 331/2026 Điều 15'), level: 5, text: 'Bị phá hoại sẽ gây tổn hại đặc biệt nghiêm trọng quốc phòng, an ninh quốc gia (hệ thống thông tin quan trọng về an ninh quốc gia).' });
  }
  // Infrastructure: one agency → 2; shared by a sector, one or several provinces → 3; nationwide 24/7 → 4.
  if (f.infrastructureScope === 'single_agency') {
    add({ ruleId: 'infrastructure_single_agency', clause: c('NĐ 85/2016 Điều 8', 'NĐ 331/2026 Điều 12'), level: 2, text: 'Hạ tầng thông tin phục vụ một cơ quan, tổ chức.' });
  }
  if (f.infrastructureScope === 'sector_or_provinces') {
    add({ ruleId: 'infrastructure_shared_province', clause: c('NĐ 85/2016 Điều 9', 'NĐ 331/2026 Điều 13'), level: 3, text: 'Hạ tầng thông tin dùng chung của một ngành, một tỉnh hoặc một số tỉnh.' });
  }
  if (f.infrastructureScope === 'nationwide') {
    add({ ruleId: 'infrastructure_nationwide', clause: c('NĐ 85/2016 Điều 10', 'NĐ 331/2026 Điều 14'), level: 4, text: 'Hạ tầng thông tin dùng chung toàn quốc, yêu cầu vận hành 24/7.' });
  }
  // National e-government systems that must run 24/7 without unplanned stops → 4.
  if (f.nationalEgov24x7) {
    add({ ruleId: 'national_egov_24x7', clause: c('NĐ 85/2016 Điều 10', 'NĐ 331/2026 Điều 14'), level: 4, text: 'Hệ thống Chính phủ điện tử cấp quốc gia, yêu cầu vận hành 24/7, không chấp nhận ngừng vận hành ngoài kế hoạch.' });
  }
  // Industrial control: works grade II–IV → 3; grade I → 4; special grade → 5.
  if (f.icsWorkGrade === 'II' || f.icsWorkGrade === 'III' || f.icsWorkGrade === 'IV') {
    add({ ruleId: 'ics_grade_2_4', clause: c('NĐ 85/2016 Điều 9', 'NĐ 331/2026 Điều 13'), level: 3, params: { grade: f.icsWorkGrade ?? '' }, text: `Hệ thống điều khiển công nghiệp của công trình cấp ${f.icsWorkGrade}.` });
  }
  if (f.icsWorkGrade === 'I') {
    add({ ruleId: 'ics_grade_1', clause: c('NĐ 85/2016 Điều 10', 'NĐ 331/2026 Điều 14'), level: 4, text: 'Hệ thống điều khiển công nghiệp của công trình cấp I.' });
  }
  if (f.icsWorkGrade === 'special') {
    add({ ruleId: 'ics_special', clause: c('NĐ 85/2016 Điều 11', 'NĐ 331/2026 Điều 15'), level: 5, text: 'Hệ thống điều khiển công nghiệp của công trình cấp đặc biệt.' });
  }
  // Composite system: the highest level of its parts (NĐ 85 Đ5; NĐ 331 Đ8.2, and Đ8.3 forbids splitting to lower it).
  const topPart = [...(f.parts ?? [])].sort((a, b) => b.level - a.level)[0];
  if (topPart) {
    add({
      ruleId: 'composite_highest',
      clause: c('NĐ 85/2016 Điều 5', 'NĐ 331/2026 Điều 8 khoản 2'),
      level: topPart.level,
      params: { code: topPart.code, name: topPart.name, level: topPart.level },
      text: `Hệ thống gồm nhiều hệ thống thành phần: lấy cấp độ cao nhất của các thành phần (${topPart.code} – ${topPart.name}: cấp độ ${topPart.level}).`,
    });
  }
}

function nd85Rules(f: LevelFacts, add: (r: Reason) => void): void {
  // NĐ 85 Đ8 / Đ9: online public services level ≤ 2 → 2; level ≥ 3 → 3.
  const dvc = f.onlineServiceLevel ?? 0;
  if (dvc >= 3) add({ ruleId: 'nd85_online_service_3', clause: 'NĐ 85/2016 Điều 9', level: 3, params: { serviceLevel: dvc }, text: `Cung cấp dịch vụ công trực tuyến mức độ ${dvc} (mức độ 3 trở lên).` });
  else if (dvc >= 1) add({ ruleId: 'nd85_online_service_2', clause: 'NĐ 85/2016 Điều 8', level: 2, params: { serviceLevel: dvc }, text: `Cung cấp dịch vụ công trực tuyến mức độ ${dvc} (mức độ 2 trở xuống).` });
  // NĐ 85 Đ8 / Đ9: online services processing private/personal information of < 10,000 users → 2, ≥ 10,000 → 3.
  if (f.type === 'citizen_service' && handlesPrivateOrPersonal(f)) {
    const users = Math.max(f.externalUsers ?? 0, personalCount(f), sensitiveCount(f));
    if (users >= ND85_USERS) {
      add({ ruleId: 'nd85_personal_10k', clause: 'NĐ 85/2016 Điều 9', level: 3, params: { users, threshold: ND85_USERS }, text: `Dịch vụ trực tuyến xử lý thông tin riêng, thông tin cá nhân của ${fmt(users)} người sử dụng (từ ${fmt(ND85_USERS)} trở lên).` });
    } else {
      add({ ruleId: 'nd85_personal_under_10k', clause: 'NĐ 85/2016 Điều 8', level: 2, params: { threshold: ND85_USERS }, text: `Dịch vụ trực tuyến xử lý thông tin riêng, thông tin cá nhân của dưới ${fmt(ND85_USERS)} người sử dụng.` });
    }
  }
  // [I] Under NĐ 85 the provincial administrative-procedure system was a level-3 online-service system in practice
  // (research §1: "a province's Cổng DVC / HTTT giải quyết TTHC … are typically cấp độ 3"); it reached level 3
  // through its online services, so no separate rule here.
}

function nd331Rules(f: LevelFacts, add: (r: Reason) => void): void {
  // NĐ 331 Đ13 (research §2.2, [3P]; research §5 cites Đ13.2.b): the administrative-procedure system is level 3.
  if (f.administrativeProcedure) {
    add({ ruleId: 'nd331_administrative_procedure', clause: 'NĐ 331/2026 Điều 13 khoản 2 điểm b', level: 3, text: 'Hệ thống thông tin giải quyết thủ tục hành chính: cấp độ 3.' });
  }
  // NĐ 331 Đ12 / Đ13: ≥ 100,000 subjects of basic personal data or ≥ 10,000 of sensitive personal data → 3;
  // below both thresholds → 2. Applies to any system that processes personal data of citizens.
  const basic = personalCount(f);
  const sensitive = sensitiveCount(f);
  if (basic >= ND331_BASIC_SUBJECTS) {
    add({ ruleId: 'nd331_personal_100k', clause: 'NĐ 331/2026 Điều 13', level: 3, params: { subjects: basic, threshold: ND331_BASIC_SUBJECTS }, text: `Xử lý dữ liệu cá nhân cơ bản của ${fmt(basic)} chủ thể (từ ${fmt(ND331_BASIC_SUBJECTS)} trở lên).` });
  }
  if (sensitive >= ND331_SENSITIVE_SUBJECTS) {
    add({ ruleId: 'nd331_sensitive_10k', clause: 'NĐ 331/2026 Điều 13', level: 3, params: { subjects: sensitive, threshold: ND331_SENSITIVE_SUBJECTS }, text: `Xử lý dữ liệu cá nhân nhạy cảm của ${fmt(sensitive)} chủ thể (từ ${fmt(ND331_SENSITIVE_SUBJECTS)} trở lên).` });
  }
  if ((basic > 0 || sensitive > 0) && basic < ND331_BASIC_SUBJECTS && sensitive < ND331_SENSITIVE_SUBJECTS) {
    add({
      ruleId: 'nd331_personal_below',
      clause: 'NĐ 331/2026 Điều 12',
      level: 2,
      params: { basic, sensitive, basicThreshold: ND331_BASIC_SUBJECTS, sensitiveThreshold: ND331_SENSITIVE_SUBJECTS },
      text: `Xử lý dữ liệu cá nhân dưới ngưỡng cấp độ 3 (${fmt(basic)} chủ thể dữ liệu cơ bản < ${fmt(ND331_BASIC_SUBJECTS)}; ${fmt(sensitive)} chủ thể dữ liệu nhạy cảm < ${fmt(ND331_SENSITIVE_SUBJECTS)}).`,
    });
  }
}

/**
 * Propose a level under one regime. The result is the highest level any rule implies (NĐ 85 Đ5, NĐ 331 Đ8.2);
 * a system no rule covers ('other' type, nothing known) gets level 1 with a reason saying so.
 * Reasons are ordered from the highest level down, so the decisive ones come first.
 */
export function proposeLevel(facts: LevelFacts, regime: Regime): Proposal {
  const reasons: Reason[] = [];
  const add = (r: Reason) => reasons.push(r);
  commonRules(facts, regime, add);
  if (regime === 'nd85') nd85Rules(facts, add);
  else nd331Rules(facts, add);
  if (reasons.length === 0) {
    reasons.push({
      ruleId: 'default_minimum',
      clause: regime === 'nd85' ? 'NĐ 85/2016 Điều 7' : 'NĐ 331/2026 Điều 11',
      level: 1,
      text: 'Không có tiêu chí nào của cấp độ cao hơn được đáp ứng theo thông tin đã khai báo: cấp độ 1.',
    });
  }
  reasons.sort((a, b) => b.level - a.level);
  const level = reasons[0]!.level;
  return { regime, level, reasons };
}

/** Minimum length of the justification of an override (a real sentence, not "ok"). */
export const MIN_JUSTIFICATION = 20;

export type DecisionCheck =
  | { ok: true; kind: 'confirm' | 'override' }
  | { ok: false; code: 'level.justification_required' | 'level.out_of_range'; message: string };

/**
 * Check an owner's decision on a proposal: confirming needs nothing more; an override (any other level)
 * needs a written justification. Lowering below the proposal is allowed only with that justification
 * (NĐ 331 Đ8.3 forbids lowering by splitting systems on paper; Đ10.5 allows raising after a risk assessment).
 */
export function checkDecision(proposedLevel: number, decidedLevel: number, justification: string | null | undefined): DecisionCheck {
  if (!Number.isInteger(decidedLevel) || decidedLevel < 1 || decidedLevel > 5) {
    return { ok: false, code: 'level.out_of_range', message: 'Cấp độ phải từ 1 đến 5.' };
  }
  if (decidedLevel === proposedLevel) return { ok: true, kind: 'confirm' };
  if ((justification ?? '').trim().length < MIN_JUSTIFICATION) {
    return {
      ok: false,
      code: 'level.justification_required',
      message: `Chọn cấp độ ${decidedLevel} khác với cấp độ đề xuất ${proposedLevel} cần nêu lý do (ít nhất ${MIN_JUSTIFICATION} ký tự).`,
    };
  }
  return { ok: true, kind: 'override' };
}

/** Luật 116/2025 Đ45.1 / NĐ 331 Đ39: systems classified under the old law meet the new regime within 12 months. */
export const TRANSITION_DEADLINE = '2027-07-01';

export type TransitionState = 'unclassified' | 'legacy_only' | 'awaiting_approval' | 'classified';

export interface TransitionInput {
  legacyLevel: number | null;
  newLevel: number | null;
  newDecisionNo: string | null;
  newDecisionDate?: string | null;
  status?: string;
}

/** Transition state from the recorded levels: see TransitionSchema in src/contracts/inventory.ts. */
export function transitionStateOf(t: TransitionInput): TransitionState {
  if (t.newLevel !== null && (t.newDecisionNo || t.newDecisionDate)) return 'classified';
  if (t.newLevel !== null) return 'awaiting_approval';
  if (t.legacyLevel !== null) return 'legacy_only';
  return 'unclassified';
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The transition state with the deadline and days remaining on `today` (YYYY-MM-DD, Vietnam time). */
export function transitionOf(t: TransitionInput, today: string): { state: TransitionState; deadline: string; daysRemaining: number | null; overdue: boolean; note: string } {
  const state = transitionStateOf(t);
  if (state === 'classified') {
    return { state, deadline: TRANSITION_DEADLINE, daysRemaining: null, overdue: false, note: 'Đã phê duyệt cấp độ theo NĐ 331/2026.' };
  }
  if (t.status === 'retired') {
    return { state, deadline: TRANSITION_DEADLINE, daysRemaining: null, overdue: false, note: 'Hệ thống đã ngừng sử dụng: không phải xác định lại cấp độ.' };
  }
  const days = daysBetween(today, TRANSITION_DEADLINE);
  const overdue = days < 0;
  const when = overdue ? `đã quá hạn ${-days} ngày (hạn 01/07/2027)` : `còn ${days} ngày (hạn 01/07/2027)`;
  const note = {
    unclassified: `Chưa xác định cấp độ: phải lập hồ sơ đề xuất cấp độ theo NĐ 331/2026, ${when}.`,
    legacy_only: `Đã có cấp độ theo NĐ 85/2016; phải xác định lại và đáp ứng yêu cầu theo NĐ 331/2026, ${when}.`,
    awaiting_approval: `Đã đề xuất cấp độ theo NĐ 331/2026, chờ quyết định phê duyệt, ${when}.`,
  }[state];
  return { state, deadline: TRANSITION_DEADLINE, daysRemaining: days, overdue, note };
}
