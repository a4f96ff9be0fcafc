import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Instance secrets. One master key (from KHIEN_SECRET_KEY, or generated once into `<dataDir>/khien.key`
 * with mode 0600 — never a built-in default) from which purpose-bound subkeys are derived with HKDF.
 */
export interface Keys {
  /** Keyed hash for identifiers that must match but never be stored in clear (CCCD). */
  hmac(purpose: 'citizen_id' | 'recovery_code' | 'api_key', value: string): string;
  /** AES-256-GCM for small secrets at rest (TOTP seeds). Output: base64url(iv|tag|ciphertext). */
  encrypt(plaintext: string): string;
  decrypt(token: string): string;
}

export function loadMasterKey(secret: string | undefined, dataDir: string): Buffer {
  if (secret) {
    const buf = /^[0-9a-f]+$/i.test(secret) && secret.length % 2 === 0 ? Buffer.from(secret, 'hex') : Buffer.from(secret, 'base64');
    if (buf.length < 32) throw new Error('KHIEN_SECRET_KEY must decode to at least 32 bytes');
    return buf;
  }
  const file = join(dataDir, 'khien.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

export function createKeys(master: Buffer): Keys {
  const sub = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `khien:${info}`, 32));
  const hmacKeys = new Map<string, Buffer>();
  const encKey = sub('encrypt:v1');
  return {
    hmac(purpose, value) {
      let k = hmacKeys.get(purpose);
      if (!k) {
        k = sub(`hmac:${purpose}:v1`);
        hmacKeys.set(purpose, k);
      }
      return createHmac('sha256', k).update(value, 'utf8').digest('hex');
    },
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
    },
    decrypt(token) {
      const buf = Buffer.from(token, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', encKey, buf.subarray(0, 12));
      decipher.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
