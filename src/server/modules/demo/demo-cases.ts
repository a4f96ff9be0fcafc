import { CaseCreateSchema, type CaseCreate } from '../../../contracts/cases.js';
import type { Actor } from '../../core/actor.js';
import type { Config } from '../../core/config.js';
import type { Keys } from '../../core/keys.js';
import type { Db } from '../../db/database.js';
import { addObservable, updateTask } from '../cases/case-work.service.js';
import { acknowledgeCase, addComment, changePhase, classifyCase, createCase as createParsed, escalateAlerts } from '../cases/cases.service.js';
import { createChannel } from '../cases/notification.service.js';
import { seedPlaybooks } from '../cases/playbook.service.js';
import { generateReport } from '../cases/report.service.js';

const H = 3_600_000;

/**
 * Demo incident cases, made through the case services themselves (so every audit entry, timeline entry, clock and
 * notification is what a user would have produced), with a clock moved along a realistic story:
 * - a ransomware case on the iOffice server, mid-containment, reportable, its initial notice sent;
 * - a leaked-account case (population-database accounts offered for sale), in triage, reportable, with a citizen ID
 *   observable (hashed) and an IP already seen in the ransomware case;
 * - a closed web-defacement case of a ward portal with its closing report (DOCX);
 * - older closed cases over six months, so the MTTA/MTTR trend has history.
 * Acts as the demo SOC analyst (cds.soc, soc_analyst over the province).
 */
export async function loadDemoCases(rt: { db: Db; keys: Keys; config: Config; clock: () => number }): Promise<{ cases: number }> {
  const db = rt.db;
  await seedPlaybooks(db, rt.config.cases.playbookDir, new Date(rt.clock()).toISOString());
  const unit = async (code: string) => db.selectFrom('org_units').select(['id', 'path', 'name']).where('code', '=', code).executeTakeFirstOrThrow();
  const root = await unit('GL');
  const cds = await unit('SO-KHCN-TT-CDS');
  const khcn = await unit('SO-KHCN');
  const ward = await unit('PHUONG-01');
  const pvhcc = await unit('TT-PVHCC');
  const user = async (username: string) => db.selectFrom('users').select(['id', 'username']).where('username', '=', username).executeTakeFirstOrThrow();
  const soc = await user('cds.soc');
  const operator = await user('cds.vanhanh');
  const police = await user('pa05.kiemtra');
  const actor: Actor = {
    userId: soc.id, username: soc.username, sessionId: 'demo', unitId: cds.id, ip: null, userAgent: 'khien demo', requestId: 'demo',
    grants: [{ id: 'demo', role: 'soc_analyst', unitId: root.id, unitPath: root.path, unitName: root.name, coveredPaths: [root.path] }],
  };
  const start = rt.clock();
  let now = start;
  const deps = { db, keys: rt.keys, config: rt.config, clock: () => now };
  const at = (hoursAgo: number) => {
    now = start - hoursAgo * H;
    return new Date(now).toISOString();
  };
  const doTasks = async (tasks: { id: string; title: string }[], note?: string) => {
    for (const t of tasks) await updateTask(deps, actor, t.id, { status: 'done', ...(note ? { note } : {}) });
  };
  const iofficeSys = await db.selectFrom('information_systems').select('id').where('code', '=', 'GL-IOFFICE').executeTakeFirst();
  const wardSys = await db.selectFrom('information_systems').select(['id', 'code']).where('code', 'like', 'PHUONG-01%').executeTakeFirst();
  let n = 0;
  const createCase = (d: typeof deps, a: Actor, input: CaseCreate) => createParsed(d, a, CaseCreateSchema.parse(input));

  // History: closed cases over the last six months (for the trend).
  const history: [number, CaseCreate['category'], string, NonNullable<CaseCreate['severity']>, number, number][] = [
    [24 * 170, 'phishing', 'Thư giả danh Bộ Công an gửi tới cán bộ Sở Tài chính', 'medium', 3, 30],
    [24 * 140, 'malware', 'Mã độc đánh cắp mật khẩu trên máy trạm Văn phòng UBND tỉnh', 'high', 1.5, 20],
    [24 * 112, 'ddos', 'Tấn công từ chối dịch vụ vào Cổng Dịch vụ công tỉnh', 'high', 0.5, 9],
    [24 * 80, 'account_compromise', 'Tài khoản thư công vụ bị dò mật khẩu thành công', 'medium', 2, 14],
    [24 * 50, 'vuln_exploitation', 'Khai thác lỗ hổng plugin trên cổng thông tin Sở Du lịch', 'high', 1, 26],
    [24 * 21, 'phishing', 'Chiến dịch thư lừa đảo cập nhật VNeID', 'medium', 4, 18],
  ];
  for (const [ago, category, title, severity, ackH, resolveH] of history) {
    const detected = at(ago);
    const c = await createCase(deps, actor, { title, category, severity, unitId: khcn.id, detectedAt: detected, occurredAt: new Date(Date.parse(detected) - 2 * H).toISOString(), playbookKey: 'none', assigneeIds: [soc.id] });
    at(ago - ackH);
    await acknowledgeCase(deps, actor, c.id);
    await changePhase(deps, actor, c.id, { phase: 'containment' });
    at(ago - resolveH / 2);
    await changePhase(deps, actor, c.id, { phase: 'eradication' });
    at(ago - resolveH);
    await changePhase(deps, actor, c.id, { phase: 'post_incident' });
    await changePhase(deps, actor, c.id, { phase: 'closed', closeReason: 'resolved' });
    n += 1;
  }

  // The closed web defacement of a ward portal, with its closing report.
  {
    const detected = at(24 * 12);
    const c = await createCase(deps, actor, {
      title: 'Thay đổi giao diện trang thông tin điện tử phường Quy Nhơn', category: 'web_defacement', severity: 'high', unitId: ward.id, detectedAt: detected,
      occurredAt: new Date(Date.parse(detected) - 5 * H).toISOString(), description: 'Trang chủ bị chèn nội dung quảng cáo cờ bạc trực tuyến và liên kết lạ; phát hiện qua phản ánh của người dân.',
      affected: { systemIds: wardSys ? [wardSys.id] : [], assetIds: [], unitIds: [ward.id], people: 'Người dân truy cập trang trong khoảng 5 giờ' }, assigneeIds: [soc.id, operator.id],
    });
    at(24 * 12 - 0.3);
    await acknowledgeCase(deps, actor, c.id);
    await addObservable(deps, actor, c.id, { type: 'url', value: 'https://phuong-quynhon.gialai.gov.vn/wp-content/uploads/2026/x.php', ioc: true, note: 'Webshell' });
    await addObservable(deps, actor, c.id, { type: 'ip', value: '103.97.125.18', ioc: true, note: 'Nguồn tải webshell' });
    const tasks = c.tasks;
    await doTasks(tasks.filter((t) => t.phase === 'triage' || t.phase === 'containment'));
    await changePhase(deps, actor, c.id, { phase: 'containment' });
    at(24 * 11);
    await changePhase(deps, actor, c.id, { phase: 'eradication' });
    await doTasks(tasks.filter((t) => t.phase === 'eradication'), 'Đã xoá 2 webshell, cập nhật plugin');
    at(24 * 10.5);
    await changePhase(deps, actor, c.id, { phase: 'recovery' });
    await doTasks(tasks.filter((t) => t.phase === 'recovery'));
    at(24 * 10);
    await changePhase(deps, actor, c.id, { phase: 'post_incident' });
    await doTasks(tasks.filter((t) => t.phase === 'post_incident'), 'Đề xuất rà soát 52 trang xã, phường dùng cùng nền tảng');
    await addComment(deps, actor, c.id, 'Đã họp rút kinh nghiệm với UBND phường và đơn vị cung cấp nền tảng.');
    await generateReport(deps, actor, c.id, 'closing_report', 'docx');
    await changePhase(deps, actor, c.id, { phase: 'closed', closeReason: 'resolved' });
    n += 1;
  }

  // Ransomware on the iOffice server, mid-containment.
  let ransomIp = '45.141.84.120';
  {
    const detected = at(20);
    const c = await createCase(deps, actor, {
      title: 'Mã độc tống tiền mã hoá máy chủ ứng dụng VNPT-iOffice', category: 'ransomware', severity: 'critical', tlp: 'amber', unitId: cds.id, detectedAt: detected,
      occurredAt: new Date(Date.parse(detected) - 3 * H).toISOString(),
      description: 'Phần mềm phòng chống mã độc tập trung cảnh báo tệp bị đổi phần mở rộng .lockbit trên máy chủ ứng dụng iOffice; xuất hiện tệp Restore-My-Files.txt.',
      affected: { systemIds: iofficeSys ? [iofficeSys.id] : [], assetIds: [], unitIds: [cds.id], people: '14.500 cán bộ không truy cập được văn bản điện tử' }, assigneeIds: [soc.id, operator.id],
    });
    at(19.8);
    await acknowledgeCase(deps, actor, c.id);
    await addObservable(deps, actor, c.id, { type: 'hash', value: '0d5b7ad6cbd1a2f8f1b8e0f4a6b3d3c1e2f7a9b8c4d5e6f708192a3b4c5d6e7f', ioc: true, note: 'Tệp thực thi mã hoá' });
    await addObservable(deps, actor, c.id, { type: 'ip', value: ransomIp, ioc: true, note: 'Đăng nhập RDP thành công' });
    await addObservable(deps, actor, c.id, { type: 'domain', value: 'lockbitsupp-chat.onion', ioc: true });
    await doTasks(c.tasks.filter((t) => t.phase === 'triage'));
    at(19);
    await classifyCase(deps, actor, c.id, { reportable: true, regime: 'nd331', immediate: false, note: 'Hệ thống cấp độ 3, ảnh hưởng toàn tỉnh' });
    await changePhase(deps, actor, c.id, { phase: 'containment' });
    const cont = c.tasks.filter((t) => t.phase === 'containment');
    at(18);
    await doTasks(cont.slice(0, 2), 'Đã cô lập máy chủ, thu ảnh bộ nhớ 64 GB');
    await updateTask(deps, actor, cont[2]!.id, { status: 'in_progress', assigneeId: operator.id });
    await updateTask(deps, actor, cont[3]!.id, { assigneeId: police.id });
    at(16);
    await generateReport(deps, actor, c.id, 'initial_notice', 'docx');
    await addComment(deps, actor, c.id, 'Đã gửi báo cáo ban đầu cho PA05; đề nghị hỗ trợ phân tích mẫu mã độc.');
    at(2);
    await addComment(deps, actor, c.id, 'Xác định đăng nhập RDP từ IP 45.141.84.120 bằng tài khoản quản trị dịch vụ; đang rà soát các máy chủ cùng phân vùng.');
    n += 1;
  }

  // Leaked population-database accounts offered for sale.
  {
    const detected = at(6);
    const c = await createCase(deps, actor, {
      title: 'Rao bán tài khoản khai thác CSDL quốc gia về dân cư của cán bộ một cửa', category: 'data_leak', severity: 'high', tlp: 'amber', unitId: pvhcc.id, detectedAt: detected,
      description: 'Kênh Telegram công khai rao bán 3 tài khoản tra cứu dân cư được cho là của bộ phận một cửa; mẫu kèm ảnh chụp kết quả tra cứu một công dân.',
      affected: { systemIds: [], assetIds: [], unitIds: [pvhcc.id], people: '3 cán bộ một cửa; ít nhất 1 công dân bị lộ thông tin' }, assigneeIds: [soc.id],
    });
    at(5.5);
    await acknowledgeCase(deps, actor, c.id);
    await addObservable(deps, actor, c.id, { type: 'url', value: 'https://t.me/s/data_vn_2026/1841', ioc: true, note: 'Bài rao bán' });
    await addObservable(deps, actor, c.id, { type: 'account', value: 'motcua.pvhcc03', ioc: false, note: 'Tài khoản bị rao bán' });
    await addObservable(deps, actor, c.id, { type: 'citizen_id', value: '052190012345', ioc: false, note: 'Công dân trong ảnh mẫu (chỉ lưu mã băm)' });
    await addObservable(deps, actor, c.id, { type: 'ip', value: ransomIp, ioc: true, note: 'Đăng nhập tài khoản từ IP này' });
    await classifyCase(deps, actor, c.id, { reportable: true, regime: 'nd331', immediate: false });
    await doTasks(c.tasks.filter((t) => t.phase === 'triage').slice(0, 1));
    n += 1;
  }
  ransomIp = '';

  now = start;
  await createChannel(deps, actor, { kind: 'email', name: 'Hộp thư trực SOC tỉnh', target: 'soc@gialai.gov.vn', unitId: root.id, minSeverity: 'high', categories: [], events: [], enabled: true });
  return { cases: n };
}

/**
 * A case created from a real SOC alert of the demo (issue 7: "escalate an alert to a case"): the SOC demo's
 * "SSH login success after repeated failures" on the iGate server — an account most likely taken over — escalated
 * by the demo SOC analyst through the case service (the alert becomes `escalated`, the case links back to it), and
 * moved to containment. Runs after the SOC demo (the alert exists only once its logs went through detection). The
 * brute-force alert on the Cổng DVC server is left for the analyst (the end-to-end test escalates it).
 */
export async function loadDemoSocCase(rt: { db: Db; keys: Keys; config: Config; clock: () => number }): Promise<string | null> {
  const db = rt.db;
  const alert = await db.selectFrom('soc_alerts').select(['id', 'unit_id']).where('title', '=', 'SSH Login Success After Repeated Failures').where('status', '=', 'new')
    .orderBy('first_seen').limit(1).executeTakeFirst();
  if (!alert) return null;
  const root = await db.selectFrom('org_units').select(['id', 'path', 'name']).where('code', '=', 'GL').executeTakeFirstOrThrow();
  const soc = await db.selectFrom('users').select(['id', 'username', 'unit_id']).where('username', '=', 'cds.soc').executeTakeFirstOrThrow();
  const actor: Actor = {
    userId: soc.id, username: soc.username, sessionId: 'demo', unitId: soc.unit_id, ip: null, userAgent: 'khien demo', requestId: 'demo',
    grants: [{ id: 'demo', role: 'soc_analyst', unitId: root.id, unitPath: root.path, unitName: root.name, coveredPaths: [root.path] }],
  };
  const deps = { db, keys: rt.keys, config: rt.config, clock: rt.clock };
  const c = await escalateAlerts(deps, actor, {
    alerts: [{ kind: 'soc', id: alert.id }], category: 'account_compromise',
    title: 'Đăng nhập thành công vào máy chủ iGate sau chuỗi dò mật khẩu',
  });
  await acknowledgeCase(deps, actor, c.id);
  await addComment(deps, actor, c.id, 'Đã yêu cầu đơn vị vận hành khoá tài khoản, đổi mật khẩu và chặn địa chỉ nguồn trên tường lửa; đang thu thập nhật ký xác thực để xác định phạm vi.');
  await changePhase(deps, actor, c.id, { phase: 'containment' });
  return c.id;
}
