/**
 * CSV files: a parser (RFC 4180: quoted fields, doubled quotes, newlines inside quotes, CRLF) and
 * CSVDataset, which reads numeric feature columns and a target column into tensors.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tensor, type DType, type Tensor } from '@cinder/tensor';
import { Dataset, type ModuleRecipe } from './dataset.js';
import { gunzipBytes, isGzip } from './idx.js';
import { describe, indexTensor, normIndex } from './util.js';
import { packageEntry } from './workers.js';

export interface CsvParseOptions {
  /** Field separator, one character (default ','). */
  delimiter?: string;
  /** Quote character, one character (default '"'). */
  quote?: string;
}

/**
 * Splits CSV text into rows of fields. Quoted fields may hold delimiters, newlines and doubled
 * quotes; line ends may be LF, CRLF or CR; blank lines are skipped; a leading byte-order mark is
 * dropped.
 */
export function parseCsv(text: string, opts: CsvParseOptions = {}, source = 'parseCsv'): string[][] {
  const delim = opts.delimiter ?? ',';
  const quote = opts.quote ?? '"';
  if (typeof delim !== 'string' || delim.length !== 1) throw new TypeError(`${source}: delimiter must be one character, got ${describe(delim)}`);
  if (typeof quote !== 'string' || quote.length !== 1) throw new TypeError(`${source}: quote must be one character, got ${describe(quote)}`);
  if (delim === quote || delim === '\n' || delim === '\r') throw new TypeError(`${source}: delimiter ${JSON.stringify(delim)} cannot be the quote or a line break`);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let rowStarted = false; // the current row has content (so a blank line is not a row)
  let atFieldStart = true; // nothing of the current field consumed yet
  const n = text.length;
  const endRow = (): void => {
    if (rowStarted) {
      row.push(field);
      rows.push(row);
    }
    row = [];
    field = '';
    rowStarted = false;
    atFieldStart = true;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === quote && atFieldStart) {
      // A quoted field runs to the next lone quote.
      const startLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const d = text[i]!;
        if (d === quote) {
          if (text[i + 1] === quote) {
            field += quote;
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        if (d === '\n') line++;
        field += d;
        i++;
      }
      if (!closed) throw new Error(`${source}: unterminated quoted field starting on line ${startLine}`);
      rowStarted = true;
      atFieldStart = false;
      // Only a delimiter or a line end may follow the closing quote.
      const next = text[i];
      if (next !== undefined && next !== delim && next !== '\n' && next !== '\r') {
        throw new Error(`${source}: line ${line}: unexpected ${JSON.stringify(next)} after a closing quote (quotes inside a quoted field are doubled)`);
      }
      continue;
    }
    if (c === delim) {
      row.push(field);
      field = '';
      rowStarted = true;
      atFieldStart = true;
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      endRow();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    field += c;
    rowStarted = true;
    atFieldStart = false;
    i++;
  }
  endRow();
  return rows;
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NAN_WORDS = new Set(['', 'nan', 'NaN', 'NAN', 'NA', 'N/A', 'null']);
const INF_RE = /^([+-]?)(inf|Inf|INF|infinity|Infinity)$/;

/** A field as a number, or undefined when it is not numeric. Empty and NA-like fields are NaN. */
function toNumber(s: string): number | undefined {
  const t = s.trim();
  if (NAN_WORDS.has(t)) return NaN;
  if (NUMBER_RE.test(t)) return Number(t);
  const m = INF_RE.exec(t);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

export interface CSVDatasetOptions extends CsvParseOptions {
  /** The first row names the columns (default true). */
  header?: boolean;
  /** Column names when there is no header row (default: 'column0', 'column1', ...). */
  columnNames?: readonly string[];
  /** Feature columns by name or position (default: every column but the target). */
  featureColumns?: readonly (string | number)[];
  /** The target column by name or position (default: the last column). */
  targetColumn?: string | number;
  /** dtype of the features (default 'float32'). */
  dtype?: DType;
  /**
   * dtype of the target (default: int64 for a text column, whose values become class indices in
   * the sorted order of `classes`, and for a numeric column of whole numbers; float32 otherwise).
   */
  targetDtype?: DType;
}

/** One CSV row: its features [F] and its target (0-d). */
export interface CsvSample {
  features: Tensor;
  target: Tensor;
}

/**
 * A CSV file as a dataset of `{ features, target }`: features is a tensor [F] of the feature
 * columns, target a 0-d tensor. Numeric fields may be empty or NA/NaN (read as NaN); a feature
 * column with other text is an error. A text target column is read as class labels. `.gz` files
 * are decompressed.
 * @example
 * ```ts
 * const ds = new CSVDataset('iris.csv', { targetColumn: 'species' });
 * ds.classes;           // ['setosa', 'versicolor', 'virginica']
 * ds.getItem(0).features; // float32 [4]
 * ```
 */
export class CSVDataset extends Dataset<CsvSample> {
  readonly path: string;
  /** All column names, in file order. */
  readonly columns: readonly string[];
  readonly featureColumns: readonly string[];
  readonly targetColumn: string;
  /** Class names of a text target column (index = label); null for a numeric target. */
  readonly classes: readonly string[] | null;
  /** All features, [N, F]. */
  readonly features: Tensor;
  /** All targets, [N]. */
  readonly targets: Tensor;
  private readonly options: CSVDatasetOptions;

  constructor(path: string, opts: CSVDatasetOptions = {}) {
    super();
    const op = 'CSVDataset';
    if (typeof path !== 'string' || path.length === 0) throw new TypeError(`${op}: expected a file path, got ${describe(path)}`);
    if (opts === null || typeof opts !== 'object') throw new TypeError(`${op}: options must be an object, got ${describe(opts)}`);
    let raw: Uint8Array;
    try {
      const buf = readFileSync(path);
      raw = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      throw new Error(`${op}: cannot read ${path}: ${(e as Error).message}`);
    }
    if (isGzip(raw)) raw = gunzipBytes(raw, path);
    const rows = parseCsv(new TextDecoder().decode(raw), opts, `${op}: ${path}`);
    const header = opts.header ?? true;
    if (rows.length === 0) throw new Error(`${op}: ${path} is empty`);
    let columns: string[];
    if (header) {
      columns = rows.shift()!.map((c) => c.trim());
      if (opts.columnNames !== undefined) throw new TypeError(`${op}: columnNames is for files without a header row (pass header: false)`);
    } else {
      columns = opts.columnNames ? [...opts.columnNames] : rows[0]!.map((_, k) => `column${k}`);
    }
    const ncol = columns.length;
    if (new Set(columns).size !== ncol) throw new Error(`${op}: ${path}: duplicate column names in [${columns.join(', ')}]`);
    rows.forEach((r, k) => {
      if (r.length !== ncol) {
        throw new Error(`${op}: ${path}: data row ${k + 1} has ${r.length} fields, expected ${ncol} (${columns.join(', ')})`);
      }
    });
    const colIndex = (c: string | number, what: string): number => {
      if (typeof c === 'number') {
        if (!Number.isInteger(c) || c < -ncol || c >= ncol) throw new RangeError(`${op}: ${what} ${c} is out of range for ${ncol} columns`);
        return c < 0 ? c + ncol : c;
      }
      const k = columns.indexOf(c);
      if (k < 0) throw new RangeError(`${op}: ${what} ${JSON.stringify(c)} is not a column of ${path} (columns: ${columns.join(', ')})`);
      return k;
    };
    const t = colIndex(opts.targetColumn ?? ncol - 1, 'target column');
    const feats = opts.featureColumns !== undefined
      ? opts.featureColumns.map((c) => colIndex(c, 'feature column'))
      : columns.map((_, k) => k).filter((k) => k !== t);
    if (feats.includes(t)) throw new RangeError(`${op}: column ${JSON.stringify(columns[t])} cannot be both a feature and the target`);
    if (feats.length === 0) throw new RangeError(`${op}: no feature columns (the file has ${ncol} columns)`);
    const n = rows.length;
    const f = feats.length;

    const values = new Float64Array(n * f);
    feats.forEach((c, j) => {
      for (let r = 0; r < n; r++) {
        const v = toNumber(rows[r]![c]!);
        if (v === undefined) {
          throw new TypeError(`${op}: ${path}: feature column ${JSON.stringify(columns[c])} is not numeric (data row ${r + 1}: ${JSON.stringify(rows[r]![c])}); choose numeric featureColumns or encode the column first`);
        }
        values[r * f + j] = v;
      }
    });
    const dtype = opts.dtype ?? 'float32';
    this.features = tensor(values, { dtype, shape: [n, f] });

    const tv = rows.map((r) => toNumber(r[t]!));
    let classes: string[] | null = null;
    let targets: Float64Array;
    let defaultTargetDtype: DType;
    if (tv.some((v) => v === undefined)) {
      classes = [...new Set(rows.map((r) => r[t]!.trim()))].sort();
      const lookup = new Map(classes.map((c, k) => [c, k]));
      targets = Float64Array.from(rows, (r) => lookup.get(r[t]!.trim())!);
      defaultTargetDtype = 'int64';
    } else {
      targets = Float64Array.from(tv as number[]);
      defaultTargetDtype = targets.every((v) => Number.isInteger(v)) && n > 0 ? 'int64' : 'float32';
    }
    const targetDtype = opts.targetDtype ?? defaultTargetDtype;
    if ((targetDtype === 'int64' || targetDtype === 'int32' || targetDtype === 'uint8') && targets.some((v) => !Number.isInteger(v))) {
      throw new TypeError(`${op}: target column ${JSON.stringify(columns[t])} has non-integer values, which targetDtype ${targetDtype} cannot hold`);
    }
    this.targets = tensor(targets, { dtype: targetDtype, shape: [n] });
    this.path = path;
    this.columns = columns;
    this.featureColumns = feats.map((k) => columns[k]!);
    this.targetColumn = columns[t]!;
    this.classes = classes;
    this.options = { ...opts };
  }

  get length(): number {
    return this.features.shape[0]!;
  }
  getItem(index: number): CsvSample {
    const i = normIndex('CSVDataset.getItem', index, this.length);
    return { features: this.features.select(0, i), target: this.targets.select(0, i) };
  }
  override getBatch(indices: readonly number[]): { features: Tensor; target: Tensor } {
    const n = this.length;
    const idx = indexTensor(indices.map((i) => normIndex('CSVDataset.getBatch', i, n)));
    const out = { features: this.features.indexSelect(0, idx), target: this.targets.indexSelect(0, idx) };
    idx.dispose();
    return out;
  }
  override workerRecipe(): ModuleRecipe {
    return { module: packageEntry(), exportName: 'CSVDataset', args: [resolve(this.path), this.options] };
  }
}
