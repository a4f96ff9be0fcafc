import { z } from 'zod';

/**
 * Data-sync reconciliation (issue 3, item 5): the dataset specification a user declares and the report the
 * engine returns. Shared by the engine, the API, the CLI (`khien reconcile`) and the web page so a stored
 * report can be validated and shown without re-running the comparison.
 */

export const DatasetKindSchema = z.enum(['postgres', 'mysql', 'sqlite', 'csv', 'xlsx']);
export type DatasetKind = z.infer<typeof DatasetKindSchema>;

/** One side of a comparison. Databases take `url` + `table`; files take `path` (+ `sheet` for XLSX). */
export const DatasetSpecSchema = z.object({
  kind: DatasetKindSchema,
  /** Connection string (postgres://…, mysql://…). Never echoed in reports or errors. */
  url: z.string().optional(),
  /** SQLite database file, or the CSV/XLSX file. */
  path: z.string().optional(),
  /** Table name; for PostgreSQL `schema.table` is accepted. */
  table: z.string().optional(),
  /** XLSX worksheet name (default: the first sheet). */
  sheet: z.string().optional(),
  /** Declared key columns (source naming); rows are matched on them. */
  key: z.array(z.string().min(1)).min(1),
  /** Declared compared columns (source naming). */
  columns: z.array(z.string().min(1)),
  /** Target column name per source column name, for columns renamed by the migration (target spec only). */
  columnMap: z.record(z.string(), z.string()).optional(),
  /** Human label shown in reports and errors instead of the table/file name. */
  label: z.string().optional(),
});
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

/** A key as shown in samples: key column (source naming) → canonical value. */
export const SampleKeySchema = z.record(z.string(), z.string().nullable());

export const ChangedSampleSchema = z.object({
  key: SampleKeySchema,
  /** Only the compared columns whose canonical values differ, in declared column order. */
  columns: z.array(z.object({ column: z.string(), source: z.string().nullable(), target: z.string().nullable() })),
});
export type ChangedSample = z.infer<typeof ChangedSampleSchema>;

export const DatasetSideReportSchema = z.object({
  label: z.string(),
  kind: DatasetKindSchema,
  /** Rows moved from this dataset into the comparison process (range-confirmed rows are not read). */
  rowsRead: z.number().int().nonnegative(),
});

export const ReconcileReportSchema = z.object({
  /** `equal` when nothing is missing, extra or changed. */
  outcome: z.enum(['equal', 'different']),
  /** `range-hash`: both sides are tables of one database engine and key ranges were compared in the database. */
  mode: z.enum(['rows', 'range-hash']),
  source: DatasetSideReportSchema,
  target: DatasetSideReportSchema,
  counts: z.object({
    /** Same key, same row hash (includes rows confirmed equal by range hashes). */
    equal: z.number().int().nonnegative(),
    /** In the source, not in the target. */
    missing: z.number().int().nonnegative(),
    /** In the target, not in the source. */
    extra: z.number().int().nonnegative(),
    /** Same key, different row hash. */
    changed: z.number().int().nonnegative(),
  }),
  /** The first `sampleSize` keys of each kind in key order (deterministic). */
  samples: z.object({
    missing: z.array(SampleKeySchema),
    extra: z.array(SampleKeySchema),
    changed: z.array(ChangedSampleSchema),
  }),
  ranges: z.object({
    /** Key ranges whose aggregate hashes were compared in the databases. */
    compared: z.number().int().nonnegative(),
    /** Ranges confirmed equal without reading their rows. */
    skipped: z.number().int().nonnegative(),
    /** Rows inside the skipped ranges. */
    rowsSkipped: z.number().int().nonnegative(),
  }),
  keyColumns: z.array(z.string()),
  comparedColumns: z.array(z.string()),
  /** Normalisation settings the hashes were computed under, so a stored report can be reproduced. */
  normalisation: z.object({
    rowHash: z.literal('sha256'),
    emptyIsNull: z.boolean(),
    decimalComma: z.boolean(),
    assumeTimezone: z.string(),
  }),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().nonnegative(),
});
export type ReconcileReport = z.infer<typeof ReconcileReportSchema>;
