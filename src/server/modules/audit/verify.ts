import { CompactRange, hashEquals, openNote, parseCheckpoint, type NoteVerifier } from '../../engines/merkle/index.js';
import type { AccessLogRecordRow } from '../access-log/access-log.table.js';
import type { AuditEventRow } from './audit.table.js';
import { ACCESS_LOG_LEAF, docLeafHash, entryLeafHash } from './merkle.leaf.js';

/**
 * Verification of the audit log from any source of leaves (the database, or an exported bundle). Two layers:
 * each entry is re-hashed and compared with its leaf (names the exact position of a modified, deleted,
 * inserted or reordered entry); the leaf hashes are folded into the tree and every signed checkpoint is
 * checked against the recomputed root (catches a leaf table rewritten to match, and rewritten checkpoints).
 * Streaming: memory is O(log n) plus the findings.
 */

export interface LeafItem {
  leafIndex: number;
  source: string;
  sourceSeq: number;
  entryId: string;
  /** Stored hex leaf hash. */
  leafHash: string;
  prunedAt: string | null;
  /** The record found at source_seq of its source now (audit entry or access-log record), or null when none is there. */
  entry: AuditEventRow | AccessLogRecordRow | null;
  /** On SQLite, the record's stored canonical encoding (log-docs.ts), which is what its leaf hash must be of. */
  doc?: string;
}

export interface CheckpointItem {
  treeSize: number;
  rootHash: string;
  note: string;
}

export type FindingKind =
  | 'modified' | 'deleted' | 'inserted' | 'reordered' | 'leaf_gap'
  | 'checkpoint_signature' | 'checkpoint_rewritten' | 'checkpoint_mismatch' | 'checkpoint_beyond_log' | 'witness_mismatch'
  /** SQLite: a log table's definition differs from the one whose columns are generated from the leaf's record (log-docs.ts). */
  | 'schema_altered';

export interface Finding {
  kind: FindingKind;
  /** Leaf index (position in the tree), when the finding is about one leaf. */
  leafIndex?: number;
  /** seq of the record concerned in its source (audit_events, or access_log_records when `source` says so). */
  seq?: number;
  source?: string;
  treeSize?: number;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  treeSize: number;
  rootHash: string;
  checkpointsChecked: number;
  witnessedChecked: number;
  pruned: number;
  findings: Finding[];
  /** Database verification: pages whose fast check failed and were verified row by row (0 on an intact log). */
  pagesRechecked?: number;
  /** Database verification: worker threads used (0: this thread). */
  workers?: number;
}

export interface VerifyInput {
  verifier: NoteVerifier;
  origin: string;
  /** Leaves in leaf-index order, in pages (one await per page, not per leaf). */
  leaves: AsyncIterable<LeafItem[]>;
  checkpoints: AsyncIterable<CheckpointItem>;
  /** Records present in the store but in no leaf although older than the newest sequenced one of their source. */
  unsequenced?: AsyncIterable<{ seq: number; id: string; source?: string }>;
  /** Where does the entry with this id sit in the tree? (to tell reordered from inserted) */
  leafOfEntry?: (id: string) => Promise<number | undefined>;
  /** Checkpoints held by a witness (e.g. the write-once file): each must match the recomputed tree. */
  witnessed?: string[];
  /** Stop collecting findings after this many (the count still reflects more). */
  maxFindings?: number;
}

/** Findings up to a cap; those beyond it are counted and summed up in one last line. */
export class FindingList {
  readonly items: Finding[] = [];
  more = 0;
  constructor(private readonly max: number) {}
  readonly add = (f: Finding): void => {
    if (this.items.length < this.max) this.items.push(f);
    else this.more++;
  };
  /** The findings, with the "… and N more" line when some were left out. */
  done(): Finding[] {
    if (this.more > 0) this.items.push({ kind: this.items[this.items.length - 1]!.kind, message: `… and ${this.more} more findings` });
    return this.items;
  }
}

/**
 * Witnessed checkpoints by tree size: the roots they claim (a witness holds several for one size only if the log
 * equivocated). An unreadable note is a finding.
 */
export class Witnessed {
  readonly roots = new Map<number, Buffer[]>();
  checked = 0;
  constructor(notes: readonly string[], verifier: NoteVerifier, private readonly add: (f: Finding) => void) {
    for (const note of notes) {
      try {
        const cp = parseCheckpoint(openNote(note, verifier));
        this.roots.set(cp.size, [...(this.roots.get(cp.size) ?? []), cp.root]);
      } catch (err) {
        add({ kind: 'checkpoint_signature', message: `witnessed checkpoint unreadable: ${(err as Error).message}` });
      }
    }
  }

  /** Each witnessed root for `size` must equal the recomputed `root`. */
  checkAt(size: number, root: Buffer): void {
    for (const r of this.roots.get(size) ?? []) {
      this.checked++;
      if (!hashEquals(r, root)) this.add({ kind: 'witness_mismatch', treeSize: size, message: `the witness holds a different root for tree size ${size}: history before leaf ${size} was rewritten` });
    }
  }

  /** After the last leaf: a witnessed size beyond the log's means leaves were removed from its end. */
  checkEnd(logSize: number): void {
    for (const [size] of this.roots) {
      if (size > logSize) this.add({ kind: 'witness_mismatch', treeSize: size, message: `the witness holds a checkpoint of size ${size} but the log has ${logSize} leaves` });
    }
  }
}

/** The finding for a stored record that is in no leaf although older than the newest sequenced one of its source. */
export function unsequencedFinding(row: { seq: number; id: string; source?: string }): Finding {
  const where = row.source === ACCESS_LOG_LEAF ? `access-log seq ${row.seq}` : `seq ${row.seq}`;
  return { kind: 'inserted', seq: row.seq, source: row.source, message: `${where}: entry ${row.id} is in no leaf (inserted)` };
}

export async function verifyLog(input: VerifyInput): Promise<VerifyReport> {
  const findings = new FindingList(input.maxFindings ?? 1000);
  const add = findings.add;
  const witnessed = new Witnessed(input.witnessed ?? [], input.verifier, add);

  const cpIter = input.checkpoints[Symbol.asyncIterator]();
  let nextCp = (await cpIter.next()).value as CheckpointItem | undefined;
  const range = new CompactRange();
  let pruned = 0;

  const due = () => (nextCp !== undefined && nextCp.treeSize <= range.size) || witnessed.roots.has(range.size);
  const checkAt = async (): Promise<void> => {
    const size = range.size;
    if (witnessed.roots.has(size)) witnessed.checkAt(size, range.root());
    while (nextCp && nextCp.treeSize <= size) {
      checkCheckpoint(nextCp, nextCp.treeSize === size ? range.root() : null);
      nextCp = (await cpIter.next()).value as CheckpointItem | undefined;
    }
  };

  const checker = new CheckpointChecker(input.verifier, input.origin, add);
  const checkCheckpoint = (cp: CheckpointItem, root: Buffer | null) => checker.check(cp, root, range.size);

  await checkAt();
  let expectedIndex = 0;
  for await (const page of input.leaves) for (const leaf of page) {
    if (leaf.leafIndex !== expectedIndex) {
      add({ kind: 'leaf_gap', leafIndex: expectedIndex, message: `leaf ${expectedIndex} expected, leaf ${leaf.leafIndex} found: leaves were removed or inserted` });
    }
    expectedIndex = leaf.leafIndex + 1;
    const stored = Buffer.from(leaf.leafHash, 'hex');
    const outcome = await classifyLeaf(leaf, stored, input.leafOfEntry);
    if (outcome === 'pruned') pruned++;
    else if (outcome) add(outcome);
    // The tree is built from the stored leaf hashes; entries were checked against them above.
    range.append(stored);
    if (due()) await checkAt();
  }
  while (nextCp) {
    checkCheckpoint(nextCp, null);
    nextCp = (await cpIter.next()).value as CheckpointItem | undefined;
  }
  witnessed.checkEnd(range.size);
  for await (const row of input.unsequenced ?? []) {
    const other = input.leafOfEntry ? await input.leafOfEntry(row.id) : undefined;
    if (other === undefined) add(unsequencedFinding(row));
  }
  const list = findings.done();
  return {
    ok: list.length === 0,
    treeSize: range.size,
    rootHash: range.root().toString('hex'),
    checkpointsChecked: checker.checked,
    witnessedChecked: witnessed.checked,
    pruned,
    findings: list,
  };
}

/**
 * The entry-level check of one leaf: its record is still there, is the one the leaf was made from (by id), and
 * re-hashes to the stored leaf hash. Returns the finding, 'pruned' for a leaf whose payload retention removed, or
 * null when the leaf is intact.
 */
export async function classifyLeaf(leaf: LeafItem, stored: Buffer, leafOfEntry?: (id: string) => Promise<number | undefined>): Promise<Finding | 'pruned' | null> {
  if (leaf.entry) {
    // (An id of null: a stored doc that no longer decodes, reported as modified below.)
    if ((leaf.entry.id as string | null) !== null && leaf.entry.id !== leaf.entryId) {
      const pos = position(leaf);
      const other = leafOfEntry ? await leafOfEntry(leaf.entry.id) : undefined;
      if (other !== undefined) return { kind: 'reordered', leafIndex: leaf.leafIndex, seq: leaf.sourceSeq, source: leaf.source, message: `${pos}: holds entry ${leaf.entry.id} of leaf ${other} (entries were reordered)` };
      return { kind: 'inserted', leafIndex: leaf.leafIndex, seq: leaf.sourceSeq, source: leaf.source, message: `${pos}: entry ${leaf.entry.id} is in no leaf (inserted), entry ${leaf.entryId} is gone` };
    }
    if (!(leaf.doc !== undefined ? docLeafHash(leaf.doc) : entryLeafHash(leaf.source, leaf.entry)).equals(stored)) {
      return { kind: 'modified', leafIndex: leaf.leafIndex, seq: leaf.sourceSeq, source: leaf.source, message: `${position(leaf)}: entry ${leaf.entryId} was modified` };
    }
    return null;
  }
  if (leaf.prunedAt) return 'pruned';
  return { kind: 'deleted', leafIndex: leaf.leafIndex, seq: leaf.sourceSeq, source: leaf.source, message: `${position(leaf)}: entry ${leaf.entryId} was deleted` };
}

/**
 * Checks signed checkpoints against recomputed roots, in tree-size order: the signature (C2SP signed note), that
 * the stored size/root are the signed ones, and that the signed root is the recomputed root at that size.
 */
export class CheckpointChecker {
  checked = 0;
  private lastCheckedSize = 0;

  constructor(private readonly verifier: NoteVerifier, private readonly origin: string, private readonly add: (f: Finding) => void) {}

  /** `root` is the recomputed root at cp.treeSize, or null when the log has fewer leaves (`logSize`). */
  check(cp: CheckpointItem, root: Uint8Array | null, logSize: number): void {
    this.checked++;
    let text: string;
    try {
      text = openNote(cp.note, this.verifier);
    } catch (err) {
      this.add({ kind: 'checkpoint_signature', treeSize: cp.treeSize, message: `checkpoint at tree size ${cp.treeSize}: ${(err as Error).message}` });
      return;
    }
    const body = parseCheckpoint(text);
    if (body.origin !== this.origin || body.size !== cp.treeSize || body.root.toString('hex') !== cp.rootHash) {
      this.add({ kind: 'checkpoint_rewritten', treeSize: cp.treeSize, message: `checkpoint at tree size ${cp.treeSize}: stored size/root differ from the signed note` });
      return;
    }
    if (root === null) {
      this.add({ kind: 'checkpoint_beyond_log', treeSize: cp.treeSize, message: `checkpoint at tree size ${cp.treeSize} but the log has ${logSize} leaves: leaves after ${logSize} were removed` });
    } else if (!hashEquals(root, body.root)) {
      this.add({
        kind: 'checkpoint_mismatch', treeSize: cp.treeSize,
        message: `signed root for tree size ${cp.treeSize} differs from the recomputed one: a leaf in [${this.lastCheckedSize}, ${cp.treeSize}) was rewritten`,
      });
    }
    this.lastCheckedSize = cp.treeSize;
  }
}

/** `leaf 12, seq 7` for audit entries, `leaf 12, access-log seq 3` for ingested records. */
function position(leaf: LeafItem): string {
  return leaf.source === ACCESS_LOG_LEAF ? `leaf ${leaf.leafIndex}, access-log seq ${leaf.sourceSeq}` : `leaf ${leaf.leafIndex}, seq ${leaf.sourceSeq}`;
}

/** Human-readable report for the CLI. */
export function formatVerifyReport(r: VerifyReport): string {
  const head = `${r.ok ? 'OK' : 'FAILED'}: ${r.treeSize} leaves, root ${r.rootHash}, ${r.checkpointsChecked} checkpoints, ${r.witnessedChecked} witnessed checkpoints, ${r.pruned} pruned entries`;
  return [head, ...r.findings.map((f) => `  ${f.kind}: ${f.message}`)].join('\n');
}
