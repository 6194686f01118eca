/** The CSV parser and CSVDataset. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CSVDataset, defaultCollate, parseCsv } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cinder-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;
function file(text: string | Uint8Array, ext = 'csv'): string {
  const p = join(dir, `f${serial++}.${ext}`);
  writeFileSync(p, text);
  return p;
}

describe('parseCsv', () => {
  it('splits rows and fields, with quotes, doubled quotes and newlines in quotes', () => {
    expect(parseCsv('a,b\n1,2\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('"x, y","say ""hi""",z\r\n"multi\nline",,""\n')).toEqual([['x, y', 'say "hi"', 'z'], ['multi\nline', '', '']]);
  });

  it('handles CR, CRLF, blank lines, a BOM, trailing delimiters and other delimiters', () => {
    expect(parseCsv('\ufeffa;b\r1;2\r\n\n3;\n', { delimiter: ';' })).toEqual([['a', 'b'], ['1', '2'], ['3', '']]);
    expect(parseCsv("'a|b'|c", { delimiter: '|', quote: "'" })).toEqual([['a|b', 'c']]);
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('x')).toEqual([['x']]);
  });

  it('reports malformed quoting with the line', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow(/parseCsv: unterminated quoted field starting on line 2/);
    expect(() => parseCsv('a,"b"c\n')).toThrow(/line 1: unexpected "c" after a closing quote/);
    expect(() => parseCsv('a', { delimiter: ',,' })).toThrow(/delimiter must be one character/);
    expect(() => parseCsv('a', { delimiter: '"' })).toThrow(/cannot be the quote or a line break/);
  });
});

describe('CSVDataset', () => {
  const iris = 'sepal length,sepal width,"petal, length",species\n5.1,3.5,1.4,setosa\n7.0,3.2,4.7,versicolor\n6.3,3.3,6.0,virginica\n4.9,3.0,1.4,setosa\n';

  it('reads numeric features and a text target as class indices', () => {
    const ds = new CSVDataset(file(iris));
    expect(ds.length).toBe(4);
    expect(ds.columns).toEqual(['sepal length', 'sepal width', 'petal, length', 'species']);
    expect(ds.featureColumns).toEqual(['sepal length', 'sepal width', 'petal, length']);
    expect(ds.targetColumn).toBe('species');
    expect(ds.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const { features, target } = ds.getItem(1);
    expect(features.dtype).toBe('float32');
    expect(Array.from(features.data() as Float32Array)).toEqual([7, 3.2, 4.7].map(Math.fround));
    expect(target.dtype).toBe('int64');
    expect(ds.targets.toArray()).toEqual([0, 1, 2, 0]);
  });

  it('selects feature and target columns by name or position', () => {
    const ds = new CSVDataset(file(iris), { featureColumns: ['petal, length', 0], targetColumn: 1, dtype: 'float64' });
    expect(ds.featureColumns).toEqual(['petal, length', 'sepal length']);
    expect(ds.targetColumn).toBe('sepal width');
    expect(ds.features.dtype).toBe('float64');
    expect((ds.features.toArray() as number[][])[2]).toEqual([6, 6.3]);
    expect(ds.targets.dtype).toBe('float32');
    expect(ds.classes).toBeNull();
    const whole = new CSVDataset(file('a,b,y\n1,2,3\n4,5,6\n'));
    expect(whole.targets.dtype).toBe('int64');
    expect(new CSVDataset(file('a,b,y\n1,2,3\n4,5,6\n'), { targetDtype: 'float32' }).targets.dtype).toBe('float32');
  });

  it('reads files without a header, other delimiters, missing values and gzip', () => {
    const ds = new CSVDataset(file('1;2;0\n;NA;1\n'), { header: false, delimiter: ';' });
    expect(ds.columns).toEqual(['column0', 'column1', 'column2']);
    expect(ds.features.toArray()).toEqual([[1, 2], [NaN, NaN]]);
    const named = new CSVDataset(file('1,2\n3,4\n'), { header: false, columnNames: ['x', 'y'], targetColumn: 'x' });
    expect(named.features.toArray()).toEqual([[2], [4]]);
    expect(new CSVDataset(file(gzipSync('a,y\n-1e3,1\ninf,0\n'), 'csv.gz')).features.toArray()).toEqual([[-1000], [Infinity]]);
  });

  it('batches in one gather, equal to collating the rows', () => {
    const ds = new CSVDataset(file(iris));
    const b = ds.getBatch([3, 1]);
    const c = defaultCollate([ds.getItem(3), ds.getItem(1)]);
    expect(b.features.toArray()).toEqual(c.features.toArray());
    expect(b.target.toArray()).toEqual(c.target.toArray());
    expect(ds.workerRecipe()).toMatchObject({ exportName: 'CSVDataset' });
  });

  it('explains bad files and options', () => {
    expect(() => new CSVDataset(file('a,b\nx,1\n'))).toThrow(/CSVDataset: .*: feature column "a" is not numeric \(data row 1: "x"\)/);
    expect(() => new CSVDataset(file('a,b\n1,2\n3\n'))).toThrow(/data row 2 has 1 fields, expected 2 \(a, b\)/);
    expect(() => new CSVDataset(file('a,b\n1,2\n'), { targetColumn: 'c' })).toThrow(/target column "c" is not a column of .* \(columns: a, b\)/);
    expect(() => new CSVDataset(file('a,b\n1,2\n'), { targetColumn: 5 })).toThrow(/target column 5 is out of range for 2 columns/);
    expect(() => new CSVDataset(file('a,b\n1,2\n'), { featureColumns: ['b'], targetColumn: 'b' })).toThrow(/cannot be both a feature and the target/);
    expect(() => new CSVDataset(file('a,a\n1,2\n'))).toThrow(/duplicate column names/);
    expect(() => new CSVDataset(file(''))).toThrow(/is empty/);
    expect(() => new CSVDataset(file('a,y\n1,0.5\n'), { targetDtype: 'int64' })).toThrow(/target column "y" has non-integer values, which targetDtype int64 cannot hold/);
    expect(() => new CSVDataset(join(dir, 'nope.csv'))).toThrow(/CSVDataset: cannot read .*nope.csv/);
    expect(() => new CSVDataset(file('a,b\n1,2\n'), { columnNames: ['x', 'y'] })).toThrow(/columnNames is for files without a header row/);
  });
});
