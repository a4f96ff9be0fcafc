import { z } from 'zod';
import { IsoDateSchema, pageOf } from './common.js';
import { RoleSchema } from './roles.js';

export const UNIT_TYPES = [
  'province',
  'department',
  'agency',
  'police',
  'commune',
  'ward',
  'sub_unit',
  'former_province',
  'former_district',
  'former_commune',
] as const;
export const UnitTypeSchema = z.enum(UNIT_TYPES);
export type UnitType = z.infer<typeof UnitTypeSchema>;

export const OrgUnitSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  shortName: z.string().nullable(),
  type: UnitTypeSchema,
  parentId: z.string().nullable(),
  depth: z.number().int(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  mergedIntoId: z.string().nullable(),
  mergedOn: z.string().nullable(),
  mergerDecision: z.string().nullable(),
  /** True while the unit exists (no validTo, or validTo in the future). */
  current: z.boolean(),
});
export type OrgUnit = z.infer<typeof OrgUnitSchema>;

export const OrgUnitCreateSchema = z.object({
  code: z.string().trim().min(1).max(50),
  name: z.string().trim().min(1).max(300),
  shortName: z.string().trim().max(100).nullish(),
  type: UnitTypeSchema,
  parentId: z.string().nullable(),
  validFrom: IsoDateSchema.nullish(),
});
export const OrgUnitUpdateSchema = OrgUnitCreateSchema.partial().omit({ parentId: true });

/** Record that a unit ceased to exist because another absorbed it. */
export const OrgUnitMergeSchema = z.object({
  intoId: z.string(),
  mergedOn: IsoDateSchema,
  decision: z.string().trim().min(1).max(300),
});

/** The chain from a unit to its current successor (the unit itself when it still exists). */
export const SuccessorSchema = z.object({ chain: z.array(OrgUnitSchema), successor: OrgUnitSchema });

export const PERSON_STATUSES = ['active', 'retired', 'transferred', 'on_leave', 'dismissed', 'deceased'] as const;
export const PersonStatusSchema = z.enum(PERSON_STATUSES);
export type PersonStatus = z.infer<typeof PersonStatusSchema>;

export const PersonSchema = z.object({
  id: z.string(),
  fullName: z.string(),
  citizenIdMasked: z.string().nullable(),
  dateOfBirth: z.string().nullable(),
  gender: z.enum(['male', 'female']).nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  unitId: z.string(),
  unitName: z.string(),
  position: z.string().nullable(),
  status: PersonStatusSchema,
  statusSince: z.string().nullable(),
});
export type Person = z.infer<typeof PersonSchema>;
export const PersonPageSchema = pageOf(PersonSchema);

export const PersonCreateSchema = z.object({
  fullName: z.string().trim().min(2).max(200),
  citizenId: z
    .string()
    .regex(/^\d{12}$/, 'CCCD gồm đúng 12 chữ số')
    .nullish(),
  dateOfBirth: IsoDateSchema.nullish(),
  gender: z.enum(['male', 'female']).nullish(),
  email: z.email().nullish(),
  phone: z
    .string()
    .regex(/^\+?\d{9,12}$/)
    .nullish(),
  unitId: z.string(),
  position: z.string().trim().max(200).nullish(),
  status: PersonStatusSchema.default('active'),
  statusSince: IsoDateSchema.nullish(),
});
export const PersonUpdateSchema = PersonCreateSchema.partial().omit({ status: true, statusSince: true, unitId: true });

/** A change of status/unit/position with its effective date (retirement, transfer, leave, …). */
export const PersonStatusChangeSchema = z.object({
  status: PersonStatusSchema,
  unitId: z.string().optional(),
  position: z.string().trim().max(200).nullish(),
  effectiveFrom: IsoDateSchema,
  decision: z.string().trim().max(300).nullish(),
  note: z.string().trim().max(1000).nullish(),
});
export const PersonHistoryEntrySchema = z.object({
  id: z.string(),
  status: PersonStatusSchema,
  unitId: z.string(),
  unitName: z.string(),
  position: z.string().nullable(),
  effectiveFrom: z.string(),
  decision: z.string().nullable(),
  note: z.string().nullable(),
  recordedAt: z.string(),
});

/** The roster filters shared by the list and the export, so an export holds exactly what the list shows. */
export const PeopleFilterQuerySchema = z.object({
  q: z.string().max(200).optional(),
  unitId: z.string().optional(),
  /** Include people of the unit's whole subtree (default) or only the unit itself. */
  subtree: z.enum(['true', 'false']).default('true'),
  status: PersonStatusSchema.optional(),
});
export type PeopleFilterQuery = z.infer<typeof PeopleFilterQuerySchema>;

export const PeopleQuerySchema = PeopleFilterQuerySchema.extend({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});

/** The export takes the list's filters (every matching row, no paging) and a file format. */
export const PeopleExportQuerySchema = PeopleFilterQuerySchema.extend({ format: z.enum(['csv', 'xlsx']).default('csv') });

export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  personId: z.string().nullable(),
  unitId: z.string(),
  unitName: z.string(),
  status: z.enum(['active', 'disabled']),
  mfaEnrolled: z.boolean(),
  lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  grants: z.array(z.object({ id: z.string(), role: RoleSchema, unitId: z.string(), unitName: z.string() })),
});
export type User = z.infer<typeof UserSchema>;

export const UserCreateSchema = z.object({
  username: z
    .string()
    .trim()
    .min(3)
    .max(100)
    .regex(/^[a-z0-9._-]+$/, 'chữ thường không dấu, số, . _ -'),
  displayName: z.string().trim().min(2).max(200),
  email: z.email().nullish(),
  personId: z.string().nullish(),
  unitId: z.string(),
});
/** Creating a user returns a one-time initial password that must be changed at first login. */
export const UserCreatedSchema = z.object({ user: UserSchema, initialPassword: z.string() });

/**
 * An administrator issues a new one-time password (forgotten password) and, for a lost authenticator, removes
 * the user's second factors so they enrol again. The reason records how the person's identity was checked
 * (ASVS 5 6.4.4: a lost factor needs identity proofing at the level of enrolment).
 */
export const UserCredentialResetSchema = z.object({
  resetMfa: z.boolean().default(false),
  reason: z.string().trim().min(5).max(500),
});
export const UserUpdateSchema = z.object({
  displayName: z.string().trim().min(2).max(200).optional(),
  email: z.email().nullish(),
  status: z.enum(['active', 'disabled']).optional(),
});
export const RoleGrantCreateSchema = z.object({ role: RoleSchema, unitId: z.string(), note: z.string().max(500).nullish() });
