import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 and the C2SP tlog-checkpoint body
 * (https://c2sp.org/tlog-checkpoint). A note is UTF-8 text ending in a newline, a blank line, then one or
 * more lines `— <key name> <base64(4-byte key ID ‖ signature)>`. The signature covers the text only.
 * Ed25519 key ID = SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4].
 */

const ED25519_TYPE = 0x01;
const EM_DASH = '\u2014';
// DER prefixes of PKCS#8 / SPKI for Ed25519 (RFC 8410), so raw 32-byte keys can be used with node:crypto.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteSigner {
  name: string;
  keyId: Buffer;
  publicKey: Buffer;
  sign(message: Buffer): Buffer;
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: Buffer;
  verify(message: Buffer, signature: Buffer): boolean;
}

function assertKeyName(name: string): void {
  // signed-note: key names are non-empty and contain no Unicode spaces or plus signs.
  if (!name || /[\s+]/u.test(name)) throw new Error(`invalid note key name: ${JSON.stringify(name)}`);
}

export function ed25519KeyId(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, ED25519_TYPE])).update(publicKey).digest().subarray(0, 4);
}

/** A fresh Ed25519 seed (the 32-byte private key). */
export function generateSeed(): Buffer {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
}

function publicFromPrivate(priv: KeyObject): Buffer {
  return createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

/** A signer from a name and a 32-byte Ed25519 seed. */
export function signerFromSeed(name: string, seed: Buffer): NoteSigner {
  assertKeyName(name);
  if (seed.length !== 32) throw new Error('Ed25519 seed must be 32 bytes');
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = publicFromPrivate(priv);
  return { name, publicKey, keyId: ed25519KeyId(name, publicKey), sign: (m) => sign(null, m, priv) };
}

/** The signer key string `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>`. */
export function encodeSignerKey(name: string, seed: Buffer): string {
  const s = signerFromSeed(name, seed);
  return `PRIVATE+KEY+${name}+${s.keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519_TYPE]), seed]).toString('base64')}`;
}

/** Split on the first `count - 1` plus signs only: the base64 tail may itself contain '+'. */
function splitKey(text: string, count: number): string[] {
  const parts = text.trim().split('+');
  return parts.length < count ? parts : [...parts.slice(0, count - 1), parts.slice(count - 1).join('+')];
}

export function parseSignerKey(text: string): NoteSigner {
  const parts = splitKey(text, 5);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new Error('malformed signer key');
  const raw = Buffer.from(parts[4]!, 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519_TYPE) throw new Error('signer key is not Ed25519');
  const s = signerFromSeed(parts[2]!, raw.subarray(1));
  if (s.keyId.toString('hex') !== parts[3]) throw new Error('signer key ID does not match');
  return s;
}

/** The verifier key string `<name>+<hex id>+<base64(0x01 ‖ public key)>` that is published. */
export function encodeVerifierKey(name: string, publicKey: Buffer): string {
  return `${name}+${ed25519KeyId(name, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]).toString('base64')}`;
}

export function parseVerifierKey(text: string): NoteVerifier {
  const parts = splitKey(text, 3);
  if (parts.length !== 3) throw new Error('malformed verifier key');
  const [name, idHex, b64] = parts as [string, string, string];
  assertKeyName(name);
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519_TYPE) throw new Error('verifier key is not Ed25519');
  const publicKey = raw.subarray(1);
  const keyId = ed25519KeyId(name, publicKey);
  if (keyId.toString('hex') !== idHex.toLowerCase()) throw new Error('verifier key ID does not match the key');
  const pub = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  return { name, keyId, publicKey, verify: (m, sig) => sig.length === 64 && verify(null, m, pub, sig) };
}

/** Sign note text (must end in a newline); returns the full signed note. */
export function signNote(text: string, signer: NoteSigner): string {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  const sig = signer.sign(Buffer.from(text, 'utf8'));
  return `${text}\n${EM_DASH} ${signer.name} ${Buffer.concat([signer.keyId, sig]).toString('base64')}\n`;
}

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  signature: Buffer;
}

/** Split a signed note into its text and signature lines (no verification). */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  const sep = note.lastIndexOf('\n\n');
  if (sep < 0 || !note.endsWith('\n')) throw new Error('malformed note: no signature block');
  const text = note.slice(0, sep + 1);
  const lines = note.slice(sep + 2, -1).split('\n');
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!m) throw new Error('malformed note signature line');
    const raw = Buffer.from(m[2]!, 'base64');
    if (raw.length < 5) throw new Error('malformed note signature');
    signatures.push({ name: m[1]!, keyId: raw.subarray(0, 4), signature: raw.subarray(4) });
  }
  if (signatures.length === 0) throw new Error('note has no signatures');
  return { text, signatures };
}

/**
 * Open a note: returns its text when a signature by `verifier` (same name and key ID) is valid.
 * Signatures by unknown keys (e.g. witness cosignatures) are ignored, as the spec requires.
 */
export function openNote(note: string, verifier: NoteVerifier): string {
  const { text, signatures } = parseNote(note);
  const mine = signatures.filter((s) => s.name === verifier.name && s.keyId.equals(verifier.keyId));
  if (mine.length === 0) throw new Error('note is not signed by the expected key');
  if (!mine.some((s) => verifier.verify(Buffer.from(text, 'utf8'), s.signature))) throw new Error('note signature is invalid');
  return text;
}

/** Append another signer's signature (a cosignature) to an already signed note. */
export function addSignature(note: string, signer: NoteSigner): string {
  const { text } = parseNote(note);
  const sig = signer.sign(Buffer.from(text, 'utf8'));
  return `${note}${EM_DASH} ${signer.name} ${Buffer.concat([signer.keyId, sig]).toString('base64')}\n`;
}
