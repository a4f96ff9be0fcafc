import { HASH_SIZE } from './hash.js';

/**
 * The C2SP tlog-checkpoint body: `<origin>\n<decimal tree size>\n<base64 root hash>\n` followed by
 * optional extension lines (Khiên writes none). https://c2sp.org/tlog-checkpoint
 */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export function formatCheckpoint(c: Checkpoint): string {
  if (!c.origin || /\n/.test(c.origin)) throw new Error('invalid checkpoint origin');
  if (c.root.length !== HASH_SIZE) throw new Error('root hash must be 32 bytes');
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

export function parseCheckpoint(text: string): Checkpoint & { extensions: string[] } {
  if (!text.endsWith('\n')) throw new Error('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('checkpoint needs origin, size and root lines');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  // Size is decimal without leading zeros (except "0"), so one tree head has exactly one encoding.
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new Error('checkpoint size is not a canonical decimal');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new Error('checkpoint size too large');
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== HASH_SIZE || root.toString('base64') !== rootText) throw new Error('checkpoint root is not 32 bytes of base64');
  if (!origin) throw new Error('checkpoint origin is empty');
  return { origin, size, root, extensions };
}
