import { AppError } from '../core/errors.js';
import { createAdminUser, resetBootstrapPassword } from '../modules/auth/bootstrap.js';
import { foldVietnamese } from '../core/text.js';
import { newId, nowIso } from '../db/columns.js';
import type { Runtime } from '../runtime.js';

export const DEMO_ADMIN_USERNAME = 'admin';

/**
 * `npm start`: make sure someone can log in. On the first start, create the `admin` user at the root unit
 * with a one-time password; on later starts, while that admin has never logged in, issue a fresh one-time
 * password (the previous one was only printed to a console). Returns what to print, or null.
 */
export async function bootstrapAdminForDemo(rt: Runtime): Promise<{ username: string; password: string } | null> {
  const { db } = rt.handle;
  const root = await db
    .selectFrom('org_units')
    .select(['id'])
    .where('depth', '=', 0)
    .where('valid_to', 'is', null)
    .orderBy('created_at')
    .executeTakeFirst();
  if (!root) return null;
  const admin = await db
    .selectFrom('users')
    .select(['id', 'last_login_at', 'must_change_password'])
    .where('username', '=', DEMO_ADMIN_USERNAME)
    .executeTakeFirst();
  if (!admin) {
    const { password } = await createAdminUser(
      { db, clock: rt.clock },
      { username: DEMO_ADMIN_USERNAME, displayName: 'Quản trị hệ thống', unitId: root.id },
    );
    return { username: DEMO_ADMIN_USERNAME, password };
  }
  if (admin.last_login_at === null && admin.must_change_password === 1) {
    const { password } = await resetBootstrapPassword({ db, clock: rt.clock }, admin.id);
    return { username: DEMO_ADMIN_USERNAME, password };
  }
  return null;
}

/**
 * `khien user create-admin`: an admin at the given root unit (or the only root unit). On an empty production
 * database, `--unit-code` and `--unit-name` create the root unit first.
 */
export async function createAdminCommand(
  rt: Runtime,
  opts: { username: string; displayName: string; unitCode?: string; unitName?: string },
): Promise<{ username: string; password: string }> {
  const { db } = rt.handle;
  let unit = opts.unitCode
    ? await db.selectFrom('org_units').select(['id']).where('code', '=', opts.unitCode).executeTakeFirst()
    : undefined;
  if (!unit && !opts.unitCode) {
    const roots = await db.selectFrom('org_units').select(['id']).where('depth', '=', 0).where('valid_to', 'is', null).execute();
    if (roots.length > 1) throw new AppError('cli.unit_ambiguous', 2, 'Có nhiều đơn vị gốc: chỉ rõ --unit-code.');
    unit = roots[0];
  }
  if (!unit) {
    if (!opts.unitCode || !opts.unitName) {
      throw new AppError('cli.unit_missing', 2, 'Chưa có đơn vị nào: cần --unit-code và --unit-name để tạo đơn vị gốc.');
    }
    const id = newId();
    const now = nowIso(rt.clock);
    await db
      .insertInto('org_units')
      .values({
        id,
        code: opts.unitCode,
        name: opts.unitName,
        short_name: null,
        type: 'province',
        parent_id: null,
        path: `/${id}/`,
        depth: 0,
        valid_from: now.slice(0, 10),
        valid_to: null,
        merged_into_id: null,
        merged_on: null,
        merger_decision: null,
        name_folded: foldVietnamese(opts.unitName),
        created_at: now,
        updated_at: now,
      })
      .execute();
    unit = { id };
  }
  const { password } = await createAdminUser({ db, clock: rt.clock }, { username: opts.username, displayName: opts.displayName, unitId: unit.id });
  return { username: opts.username, password };
}
