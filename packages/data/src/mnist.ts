/**
 * MNIST and FashionMNIST from their IDX files (torchvision.datasets.MNIST / FashionMNIST).
 *
 * Files are looked for in `<root>/<Name>/raw`, then `<root>/<Name>`, then `<root>`, each plain or
 * gzipped (`train-images-idx3-ubyte` or `train-images-idx3-ubyte.gz`). `MNIST.load({ download: true })`
 * fetches the missing ones from a list of mirrors into `<root>/<Name>/raw` first.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic, type Tensor } from '@cinder/tensor';
import { gunzipBytes, idxTensor, isGzip, readIdxHeader, readMaybeGzip } from './idx.js';
import { checkImageOptions, hasFunctionOptions, ImageClassificationDataset, type ImageDatasetOptions } from './images.js';
import type { ModuleRecipe } from './dataset.js';
import { describe } from './util.js';
import { packageEntry } from './workers.js';

export interface MNISTOptions extends ImageDatasetOptions {
  /** The directory holding `<Name>/raw/` (or the files themselves). */
  root: string;
  /** The 60,000-image training set (default) or the 10,000-image test set. */
  train?: boolean;
  /**
   * Only for `MNIST.load` (downloading is asynchronous): fetch missing files first. The constructor
   * refuses `download: true` when files are missing, pointing to `load`.
   */
  download?: boolean;
}

export interface DownloadOptions {
  /** Base URLs tried in order for each file (default: the class's `mirrors`). */
  mirrors?: readonly string[];
  /** Check each downloaded file against the published MD5 (default true; turn off for private mirrors of other data). */
  checkMd5?: boolean;
  /** Milliseconds allowed per request (default 60,000). */
  timeout?: number;
}

interface Resource {
  /** The file name without .gz. */
  name: string;
  md5: string;
}

type Split = 'train' | 'test';
const FILES: Record<Split, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

/**
 * The MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28, labels 0-9.
 * Item i is `[image, label]`: by default a float32 tensor [1, 28, 28] in [0, 1] and an int64 0-d
 * tensor. `data` holds all images (uint8 [N, 28, 28]) and `targets` all labels (int64 [N]).
 * @example
 * ```ts
 * const train = new MNIST({ root: 'data' });                       // files already there
 * const test = await MNIST.load({ root: 'data', train: false, download: true });
 * ```
 */
export class MNIST extends ImageClassificationDataset {
  /** The folder under root, and the name in messages. */
  static readonly folderName: string = 'MNIST';
  /** Where `download` looks, in order. */
  static readonly mirrors: readonly string[] = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'];
  /** Published MD5 of each gzipped file. */
  static readonly resources: readonly Resource[] = [
    { name: 'train-images-idx3-ubyte', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
    { name: 'train-labels-idx1-ubyte', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
    { name: 't10k-images-idx3-ubyte', md5: '9fb629c4189551a2d022fa330f9573f3' },
    { name: 't10k-labels-idx1-ubyte', md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
  ];
  static readonly classes: readonly string[] = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];

  readonly root: string;
  readonly train: boolean;
  private readonly options: MNISTOptions;

  constructor(opts: MNISTOptions) {
    const self = new.target as typeof MNIST;
    const name = self.folderName;
    if (opts === null || typeof opts !== 'object') throw new TypeError(`${name}: expected options { root, train?, transform? }, got ${describe(opts)}`);
    if (typeof opts.root !== 'string' || opts.root.length === 0) throw new TypeError(`${name}: root must be a directory path, got ${describe(opts.root)}`);
    if (opts.train !== undefined && typeof opts.train !== 'boolean') throw new TypeError(`${name}: train must be a boolean, got ${describe(opts.train)}`);
    checkImageOptions(name, opts);
    const train = opts.train ?? true;
    const split: Split = train ? 'train' : 'test';
    const missing = missingFiles(self, opts.root, split);
    if (missing.length > 0) {
      const how = opts.download
        ? `the constructor cannot download (it is synchronous): use \`await ${name}.load({ root, train, download: true })\``
        : `pass download: true to \`await ${name}.load(...)\` to fetch them`;
      throw new Error(`${name}: ${missing.join(' and ')} not found (plain or .gz) in ${rawFolder(self, opts.root)}. `
        + `Put the IDX files there yourself, or ${how}.`);
    }
    const { images, labels } = readSplit(self, opts.root, split);
    super(images, labels, opts, name);
    this.root = opts.root;
    this.train = train;
    this.options = { ...opts };
  }

  /** The directory downloads go to: `<root>/<Name>/raw`. */
  static rawFolder(root: string): string {
    return rawFolder(this, root);
  }

  /**
   * Builds the dataset, first downloading missing files when `download` is true. Only files that
   * are absent are fetched; an unreachable network is an error that says where to put the files.
   */
  static async load<C extends typeof MNIST>(this: C, opts: MNISTOptions & DownloadOptions): Promise<InstanceType<C>> {
    const { mirrors, checkMd5, timeout, ...rest } = opts ?? ({} as MNISTOptions);
    if (rest.download) await this.download(rest.root, { train: rest.train ?? true, mirrors, checkMd5, timeout });
    return new this({ ...rest, download: false }) as InstanceType<C>;
  }

  /**
   * Downloads the files of a split (`train`: true, false, or 'both') that are not already present
   * into `<root>/<Name>/raw`, trying each mirror in turn. Each file is checked (MD5, gzip, IDX
   * header) before it is written. Returns the paths written.
   */
  static async download(root: string, opts: DownloadOptions & { train?: boolean | 'both' } = {}): Promise<string[]> {
    const name = this.folderName;
    if (typeof root !== 'string' || root.length === 0) throw new TypeError(`${name}.download: root must be a directory path, got ${describe(root)}`);
    const mirrors = opts.mirrors ?? this.mirrors;
    if (!Array.isArray(mirrors) || mirrors.length === 0 || mirrors.some((m) => typeof m !== 'string')) {
      throw new TypeError(`${name}.download: mirrors must be a non-empty array of base URLs, got ${describe(mirrors)}`);
    }
    const timeout = opts.timeout ?? 60_000;
    const checkMd5 = opts.checkMd5 ?? true;
    const splits: Split[] = opts.train === 'both' ? ['train', 'test'] : opts.train === false ? ['test'] : ['train'];
    const wanted = splits.flatMap((s) => missingFiles(this, root, s));
    if (wanted.length === 0) return [];
    const dir = rawFolder(this, root);
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    for (const file of wanted) {
      const md5 = this.resources.find((r) => r.name === file)?.md5;
      const errors: string[] = [];
      let bytes: Uint8Array | null = null;
      for (const base of mirrors) {
        const url = `${base.endsWith('/') ? base : `${base}/`}${file}.gz`;
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(timeout) });
          if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
          const got = new Uint8Array(await res.arrayBuffer());
          if (checkMd5 && md5 !== undefined) {
            const sum = createHash('md5').update(got).digest('hex');
            if (sum !== md5) throw new Error(`MD5 ${sum} does not match the published ${md5}`);
          }
          const plain = isGzip(got) ? gunzipBytes(got, url) : got;
          checkFile(name, file, plain, url);
          bytes = got;
          break;
        } catch (e) {
          const err = e as Error & { cause?: { code?: string; message?: string } };
          const why = err.name === 'TimeoutError' ? `timed out after ${timeout} ms` : err.cause?.code ?? err.cause?.message ?? err.message;
          errors.push(`${url}: ${err.message === 'fetch failed' ? `fetch failed (${why})` : why}`);
        }
      }
      if (bytes === null) {
        throw new Error(`${name}: could not download ${file}.gz from any mirror (${errors.join('; ')}). `
          + `Put ${file} (plain or .gz) in ${dir} yourself and construct the dataset without download.`);
      }
      const path = join(dir, isGzip(bytes) ? `${file}.gz` : file);
      await writeFileAtomic(path, bytes);
      written.push(path);
    }
    return written;
  }

  override workerRecipe(): ModuleRecipe | null {
    if (hasFunctionOptions(this.options)) return null;
    const cls = this.constructor as typeof MNIST;
    return { module: packageEntry(), exportName: cls.folderName, args: [{ ...this.options, root: resolve(this.root), download: false }] };
  }
}

/**
 * Fashion-MNIST (Zalando): 28x28 grayscale images of 10 kinds of clothing, in MNIST's format and
 * sizes, as a drop-in replacement.
 */
export class FashionMNIST extends MNIST {
  static override readonly folderName: string = 'FashionMNIST';
  static override readonly mirrors: readonly string[] = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'];
  static override readonly resources: readonly Resource[] = [
    { name: 'train-images-idx3-ubyte', md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
    { name: 'train-labels-idx1-ubyte', md5: '25c81989df183df01b3e8a0aad5dffbe' },
    { name: 't10k-images-idx3-ubyte', md5: 'bef4ecab320f06d8554ea6380940ec79' },
    { name: 't10k-labels-idx1-ubyte', md5: 'bb300cfdad3c16e7a12a480ee83cd310' },
  ];
  static override readonly classes: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
}

function rawFolder(cls: typeof MNIST, root: string): string {
  return join(root, cls.folderName, 'raw');
}

function candidates(cls: typeof MNIST, root: string): string[] {
  return [rawFolder(cls, root), join(root, cls.folderName), root];
}

/** The path of `file` (plain or .gz), or null. */
function findFile(cls: typeof MNIST, root: string, file: string): string | null {
  for (const dir of candidates(cls, root)) {
    for (const name of [file, `${file}.gz`]) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

function missingFiles(cls: typeof MNIST, root: string, split: Split): string[] {
  const f = FILES[split];
  return [f.images, f.labels].filter((file) => findFile(cls, root, file) === null);
}

/** Checks that decompressed bytes are the IDX file `file` should be. */
function checkFile(name: string, file: string, bytes: Uint8Array, source: string): void {
  const h = readIdxHeader(bytes, source);
  const isImages = file.includes('images');
  const want = isImages ? IMAGES_MAGIC : LABELS_MAGIC;
  if (h.magic !== want) {
    throw new Error(`${name}: ${source}: expected IDX magic number ${want} (${isImages ? 'unsigned bytes, 3 dims: [N, 28, 28]' : 'unsigned bytes, 1 dim: [N]'}), got ${h.magic} (${h.typeName}s, ${h.shape.length} dims)`);
  }
  if (isImages && (h.shape[1] !== 28 || h.shape[2] !== 28)) {
    throw new Error(`${name}: ${source}: images must be 28x28, got shape [${h.shape.join(', ')}]`);
  }
}

function readSplit(cls: typeof MNIST, root: string, split: Split): { images: Tensor; labels: Tensor } {
  const name = cls.folderName;
  const f = FILES[split];
  const ipath = findFile(cls, root, f.images)!;
  const lpath = findFile(cls, root, f.labels)!;
  const ibytes = readMaybeGzip(ipath);
  const lbytes = readMaybeGzip(lpath);
  checkFile(name, f.images, ibytes, ipath);
  checkFile(name, f.labels, lbytes, lpath);
  const ih = readIdxHeader(ibytes, ipath);
  const lh = readIdxHeader(lbytes, lpath);
  if (ih.shape[0] !== lh.shape[0]) {
    throw new Error(`${name}: ${ipath} has ${ih.shape[0]} images but ${lpath} has ${lh.shape[0]} labels`);
  }
  const lab = lbytes.subarray(lh.dataOffset);
  for (let i = 0; i < lab.length; i++) {
    if (lab[i]! > 9) throw new Error(`${name}: ${lpath}: label ${lab[i]} at index ${i} is out of range (labels are 0-9)`);
  }
  return { images: idxTensor(ibytes, ih), labels: idxTensor(lbytes, lh).to('int64') };
}
