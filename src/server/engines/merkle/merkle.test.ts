import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CompactRange, EMPTY_ROOT, HexCompactRange, foldPerfectInto, sha256Into, addSignature, consistencyProof, encodeSignerKey, encodeVerifierKey, formatCheckpoint, generateSeed,
  inclusionProof, leafHash, openNote, parseCheckpoint, parseSignerKey, parseVerifierKey, rootOf, signNote, signerFromSeed,
  verifyConsistency, verifyInclusion,
} from './index.js';

// An independent reference written straight from RFC 6962 §2.1 over the raw entries (not leaf hashes),
// sharing no code with the engine: MTH, PATH and PROOF exactly as the RFC defines them.
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), d[0]!);
  const s = k(d.length);
  return sha(Buffer.from([1]), mth(d.slice(0, s)), mth(d.slice(s)));
}
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

// The eight entries used by the RFC 6962 test trees of Certificate Transparency implementations.
const RFC_ENTRIES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
// Well-known roots of the first n of those entries (published with CT implementations; recomputed by mth() below).
const KNOWN_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const entries = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`entry ${i}`));

describe('RFC 6962 tree head', () => {
  it('matches the known roots of the RFC test entries for sizes 0..8', () => {
    for (let n = 0; n <= 8; n++) {
      const d = RFC_ENTRIES.slice(0, n);
      expect(mth(d).toString('hex'), `reference n=${n}`).toBe(KNOWN_ROOTS[n]);
      expect(rootOf(d.map(leafHash)).toString('hex'), `engine n=${n}`).toBe(KNOWN_ROOTS[n]);
    }
    expect(EMPTY_ROOT.toString('hex')).toBe(KNOWN_ROOTS[0]);
  });

  it('compact range gives the reference root after every append up to 300 leaves, and survives snapshot/restore', () => {
    const d = entries(300);
    let range = new CompactRange();
    for (let i = 0; i < d.length; i++) {
      range.append(leafHash(d[i]!));
      if (i % 37 === 0) range = CompactRange.restore(range.snapshot());
      expect(range.root().equals(mth(d.slice(0, i + 1))), `size ${i + 1}`).toBe(true);
    }
  });
});

describe('proofs for every size 1..64', () => {
  const d = entries(64);
  const leaves = d.map(leafHash);
  const roots = [EMPTY_ROOT, ...Array.from({ length: 64 }, (_, i) => mth(d.slice(0, i + 1)))];

  it('inclusion: equals the RFC PATH and verifies; wrong leaf, index, size or root fails', () => {
    for (let n = 1; n <= 64; n++) {
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(leaves, m, n);
        expect(proof).toEqual(path(m, d.slice(0, n)));
        expect(verifyInclusion(leaves[m]!, m, n, proof, roots[n]!)).toBe(true);
        expect(verifyInclusion(leaves[(m + 1) % 64]!, m, n, proof, roots[n]!)).toBe(false);
        if (n > 1) expect(verifyInclusion(leaves[m]!, (m + 1) % n, n, proof, roots[n]!)).toBe(false);
        expect(verifyInclusion(leaves[m]!, m, n + 1, proof, roots[n + 1] ?? roots[n - 1]!)).toBe(false);
        expect(verifyInclusion(leaves[m]!, n, n, proof, roots[n]!)).toBe(false);
        expect(verifyInclusion(leaves[m]!, m, n, proof, roots[n === 1 ? 2 : n - 1]!)).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(leaves[m]!, m, n, proof.slice(1), roots[n]!)).toBe(false);
      }
    }
  });

  it('consistency: equals the RFC PROOF for all pairs and verifies; tampered proofs and roots fail', () => {
    for (let n = 1; n <= 64; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(leaves, m, n);
        if (m > 0 && m < n) expect(proof).toEqual(subproof(m, d.slice(0, n), true));
        expect(verifyConsistency(m, n, proof, roots[m]!, roots[n]!), `${m}→${n}`).toBe(true);
        if (m > 0 && m < n) {
          expect(verifyConsistency(m, n, proof, roots[m - 1]!, roots[n]!)).toBe(false);
          expect(verifyConsistency(m, n, proof, roots[m]!, roots[n - 1]!)).toBe(false);
          expect(verifyConsistency(m, n, proof.slice(0, -1), roots[m]!, roots[n]!)).toBe(false);
          const bad = proof.map((p, i) => (i === 0 ? leafHash(p) : p));
          expect(verifyConsistency(m, n, bad, roots[m]!, roots[n]!)).toBe(false);
          if (n < 64) expect(verifyConsistency(m, n + 1, proof, roots[m]!, roots[n + 1]!)).toBe(false);
        }
      }
    }
  });
});

describe('C2SP signed note and checkpoint', () => {
  it('reproduces the example key and signed note of the signed-note specification', () => {
    // Example keys and note of the signed-note format's reference documentation (golang.org/x/mod/sumdb/note).
    // Ed25519 signatures are deterministic, so signing the same text must give the same note byte for byte.
    const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
    const signer = parseSignerKey('PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz');
    expect(encodeVerifierKey(signer.name, signer.publicKey)).toBe(vkey);
    const text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const note = `${text}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
    expect(signNote(text, signer)).toBe(note);
    expect(openNote(note, parseVerifierKey(vkey))).toBe(text);
    expect(() => openNote(note.replace('cryptography', 'cryptographY'), parseVerifierKey(vkey))).toThrow(/invalid/);
  });

  it('signs and opens a checkpoint; any change to text or signature is rejected; unknown cosignatures are ignored', () => {
    const seed = generateSeed();
    const signer = signerFromSeed('khien.gialai.gov.vn/audit', seed);
    expect(parseSignerKey(encodeSignerKey(signer.name, seed)).publicKey.equals(signer.publicKey)).toBe(true);
    const verifier = parseVerifierKey(encodeVerifierKey(signer.name, signer.publicKey));
    const text = formatCheckpoint({ origin: 'khien.gialai.gov.vn/audit', size: 8, root: Buffer.from(KNOWN_ROOTS[8]!, 'hex') });
    expect(text).toBe('khien.gialai.gov.vn/audit\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n');
    const note = signNote(text, signer);
    expect(note.startsWith(`${text}\n\u2014 khien.gialai.gov.vn/audit `)).toBe(true);
    expect(openNote(note, verifier)).toBe(text);
    const parsed = parseCheckpoint(openNote(note, verifier));
    expect(parsed.size).toBe(8);
    expect(() => openNote(note.replace('\n8\n', '\n9\n'), verifier)).toThrow(/invalid/);
    const sigB64 = note.trimEnd().split(' ').pop()!;
    const flipped = Buffer.from(sigB64, 'base64');
    flipped[10] = flipped[10]! ^ 1;
    expect(() => openNote(note.replace(sigB64, flipped.toString('base64')), verifier)).toThrow(/invalid/);
    const witness = signerFromSeed('witness.example', generateSeed());
    expect(openNote(addSignature(note, witness), verifier)).toBe(text);
    const other = parseVerifierKey(encodeVerifierKey(signer.name, witness.publicKey));
    expect(() => openNote(note, other)).toThrow(/expected key/);
  });

  it('rejects non-canonical checkpoint bodies', () => {
    expect(() => parseCheckpoint('o\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n')).toThrow();
    expect(() => parseCheckpoint('o\n8\nAAAA\n')).toThrow();
    expect(() => parseCheckpoint('o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=')).toThrow();
  });
});

describe('hex compact range (verification over aligned segments)', () => {
  const data = Array.from({ length: 70 }, (_, i) => Buffer.from(`entry ${i}`));
  const hex = data.map((d) => leafHash(d).toString('hex'));

  it('appending leaf by leaf gives the RFC root at every size', () => {
    const r = new HexCompactRange();
    expect(r.root()).toBe(EMPTY_ROOT.toString('hex'));
    for (let n = 1; n <= data.length; n++) {
      r.appendSubtree(hex[n - 1]!, 1);
      expect(r.root(), `size ${n}`).toBe(mth(data.slice(0, n)).toString('hex'));
    }
  });

  it('segments of 2^k leaves hashed apart and joined by their subtree roots give the same roots, and a right fold finishes any size', () => {
    for (const seg of [1, 2, 4, 8, 16]) {
      const whole = new HexCompactRange();
      for (let from = 0; from < data.length; from += seg) {
        const part = new HexCompactRange();
        for (let i = from; i < Math.min(from + seg, data.length); i++) {
          part.appendSubtree(hex[i]!, 1);
          // The root at size i+1 from the joined prefix plus this segment's right fold.
          expect(whole.root(part.root()), `segment ${seg}, size ${i + 1}`).toBe(mth(data.slice(0, i + 1)).toString('hex'));
        }
        whole.appendRange(part.snapshot());
      }
      expect(whole.root()).toBe(mth(data).toString('hex'));
      expect(whole.size).toBe(data.length);
    }
  });

  it('folds 2^k leaf hashes held in one buffer into the root of their perfect subtree, in place', () => {
    for (const k of [0, 1, 2, 3, 6]) {
      const n = 2 ** k;
      const buf = Buffer.alloc(8 + n * 32, 0xee);
      for (let i = 0; i < n; i++) sha256Into(Buffer.concat([Buffer.from([0]), data[i + 3]!]), buf, 8 + i * 32);
      expect(buf.subarray(8, 8 + 32).equals(leafHash(data[3]!))).toBe(true);
      foldPerfectInto(buf, 8, n);
      expect(buf.toString('hex', 8, 8 + 32), `2^${k} leaves`).toBe(mth(data.slice(3, 3 + n)).toString('hex'));
      expect(buf.readUInt32BE(0)).toBe(0xeeeeeeee); // nothing written before the region
    }
    expect(() => foldPerfectInto(Buffer.alloc(96), 0, 3)).toThrow(RangeError);
    expect(() => foldPerfectInto(Buffer.alloc(96), 64, 2)).toThrow(RangeError);
  });

  it('refuses a subtree that is not a node of the tree', () => {
    const r = new HexCompactRange();
    r.appendSubtree(hex[0]!, 1);
    expect(() => r.appendSubtree(hex[1]!, 2)).toThrow(RangeError);
    expect(() => r.appendSubtree(hex[1]!, 3)).toThrow(RangeError);
  });
});
