import { describe, expect, it } from 'vitest';
import { readTable, safeCell, TabularError, unsafeCell, writeCsv, writeXlsx } from './tabular.js';
import { readZipDirectory } from './zip-guard.js';
import { deflateRawSync } from 'node:zlib';

/** A one-entry ZIP whose entry declares `declared` uncompressed bytes (a bomb-like header). */
function zipWithEntry(name: string, data: Buffer, declared: number): Buffer {
  const comp = deflateRawSync(data);
  const nameBuf = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(comp.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(8, 10);
  cd.writeUInt32LE(comp.length, 20);
  cd.writeUInt32LE(declared, 24);
  cd.writeUInt16LE(nameBuf.length, 28);
  const cdOffset = local.length + nameBuf.length + comp.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(cd.length + nameBuf.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBuf, comp, cd, nameBuf, eocd]);
}

describe('tabular engine', () => {
  it('reads CSV with BOM and semicolons', async () => {
    const t = await readTable('a.csv', Buffer.from('\ufeffho_ten;email\r\nNguyễn Văn An; an@x.vn \r\n'));
    expect(t.rows).toEqual([
      ['ho_ten', 'email'],
      ['Nguyễn Văn An', 'an@x.vn'],
    ]);
  });

  it('round-trips XLSX and reads its directory', async () => {
    const buf = await writeXlsx('S', ['a', 'b'], [['Đà Nẵng', 1]]);
    expect(readZipDirectory(buf).some((e) => e.name.includes('worksheets/sheet1.xml'))).toBe(true);
    const t = await readTable('x.xlsx', buf);
    expect(t.rows).toEqual([
      ['a', 'b'],
      ['Đà Nẵng', '1'],
    ]);
  });

  it('refuses a ZIP that declares a huge expansion before inflating it', async () => {
    const bomb = zipWithEntry('xl/worksheets/sheet1.xml', Buffer.alloc(1000, 0x41), 1_000_000_000);
    await expect(readTable('bomb.xlsx', bomb)).rejects.toMatchObject({ reason: 'zip_bomb' });
  });

  it('refuses an entry that inflates beyond the size it declares', async () => {
    const liar = zipWithEntry('xl/worksheets/sheet1.xml', Buffer.alloc(5_000_000, 0x41), 1000);
    await expect(readTable('liar.xlsx', liar)).rejects.toMatchObject({ reason: 'zip_bomb' });
  });

  it('refuses more than 100k rows', async () => {
    const csv = `a\n${'1\n'.repeat(100_001)}`;
    await expect(readTable('big.csv', Buffer.from(csv))).rejects.toBeInstanceOf(TabularError);
  });

  it('makes formula cells inert and writes a BOM', () => {
    expect(safeCell('=1+1')).toBe("'=1+1");
    expect(safeCell('+84')).toBe("'+84");
    expect(safeCell('-x')).toBe("'-x");
    expect(safeCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(safeCell('\tx')).toBe("'\tx");
    expect(safeCell('Bình Định')).toBe('Bình Định');
    expect(unsafeCell(safeCell('=1+1'))).toBe('=1+1');
    expect(unsafeCell("'ordinary")).toBe("'ordinary");
    const csv = writeCsv(['a'], [['=HYPERLINK("x")']]);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8')).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
