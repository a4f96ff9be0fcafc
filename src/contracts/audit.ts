import { z } from 'zod';

export const AuditEventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  occurredAt: z.string(),
  action: z.string(),
  outcome: z.enum(['success', 'failure', 'denied']),
  actorUserId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  unitId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  reason: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  details: z.unknown().nullable(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const AuditQuerySchema = z.object({
  action: z.string().max(100).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  actor: z.string().max(200).optional(),
  targetId: z.string().optional(),
  unitId: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

/** Counts for the dashboard, all within the actor's dashboard.read scope; nothing is estimated. */
export const DashboardSchema = z.object({
  scopeUnitIds: z.array(z.string()),
  units: z.object({ current: z.number().int(), former: z.number().int() }),
  people: z.object({ total: z.number().int(), byStatus: z.record(z.string(), z.number().int()) }),
  users: z.object({ total: z.number().int(), active: z.number().int(), withoutMfa: z.number().int() }),
  /** Failed password or second-factor attempts in the last 24 hours (audit entries auth.login / auth.mfa, outcome failure). */
  failedLogins24h: z.number().int(),
  generatedAt: z.string(),
});
export type Dashboard = z.infer<typeof DashboardSchema>;
