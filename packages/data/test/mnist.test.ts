/** MNIST and FashionMNIST from small IDX files written here; downloads from a local server. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataLoader, defaultCollate, FashionMNIST, MNIST } from '../src/index.js';
import { idxBytes, mnistBytes } from './support/idx.js';

const base = mkdtempSync(join(tmpdir(), 'cinder-mnist-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let serial = 0;
/** A fresh root with the given files written into <root>/<sub>. */
function root(files: Record<string, Uint8Array>, sub = 'MNIST/raw'): string {
  const r = join(base, `r${serial++}`);
  mkdirSync(join(r, sub), { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(r, sub, name), bytes);
  return r;
}

const train = mnistBytes(12);
const test = mnistBytes(5, (k) => 9 - k);
const allFiles = {
  'train-images-idx3-ubyte': train.images, 'train-labels-idx1-ubyte': train.labels,
  't10k-images-idx3-ubyte.gz': gzipSync(test.images), 't10k-labels-idx1-ubyte.gz': gzipSync(test.labels),
};

describe('MNIST', () => {
  it('reads the train and test splits, plain or gzipped', () => {
    const r = root(allFiles);
    const tr = new MNIST({ root: r });
    expect(tr.length).toBe(12);
    expect(tr.data.shape).toEqual([12, 28, 28]);
    expect(tr.targets.dtype).toBe('int64');
    const [img, label] = tr.getItem(3);
    expect(img.dtype).toBe('float32');
    expect(img.shape).toEqual([1, 28, 28]);
    const expected = Array.from(train.pixels.subarray(3 * 784, 4 * 784), (v) => Math.fround(v / 255));
    expect(Array.from(img.data() as Float32Array)).toEqual(expected);
    expect(label.dtype).toBe('int64');
    expect(label.item()).toBe(3);
    const te = new MNIST({ root: r, train: false });
    expect(te.length).toBe(5);
    expect(te.targets.toArray()).toEqual([9, 8, 7, 6, 5]);
    expect(MNIST.classes[7]).toBe('7 - seven');
  });

  it('finds files in <root>/MNIST or <root> too', () => {
    expect(new MNIST({ root: root(allFiles, 'MNIST') }).length).toBe(12);
    expect(new MNIST({ root: root(allFiles, '.') }).length).toBe(12);
  });

  it('gives uint8 images or applies a transform function', () => {
    const r = root(allFiles);
    const u8 = new MNIST({ root: r, transform: 'uint8' });
    const [img] = u8.getItem(0);
    expect(img.dtype).toBe('uint8');
    expect(Array.from(img.data() as Uint8Array)).toEqual(Array.from(train.pixels.subarray(0, 784)));
    const f = new MNIST({ root: r, transform: (t) => t.flatten().to('float64'), targetTransform: (t) => t.add(100) });
    const [flat, lab] = f.getItem(1);
    expect(flat.shape).toEqual([784]);
    expect(flat.dtype).toBe('float64');
    expect(lab.item()).toBe(101);
    expect(f.workerRecipe()).toBeNull();
    expect(() => new MNIST({ root: r, transform: 'float16' as never })).toThrow(/MNIST: transform must be 'float32', 'uint8' or a function/);
  });

  it('batches in one gather, equal to collating the items', () => {
    const ds = new MNIST({ root: root(allFiles) });
    const idx = [11, 0, 5];
    const [a, b] = ds.getBatch(idx);
    const [c, d] = defaultCollate(idx.map((i) => ds.getItem(i)));
    expect(a.shape).toEqual([3, 1, 28, 28]);
    expect(a.toArray()).toEqual(c.toArray());
    expect(b.toArray()).toEqual(d.toArray());
    const [[xb, yb]] = [...new DataLoader(ds, { batchSize: 12 })];
    expect(xb!.shape).toEqual([12, 1, 28, 28]);
    expect(yb!.toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  });

  it('says where to put missing files', () => {
    const r = root({});
    expect(() => new MNIST({ root: r })).toThrow(
      new RegExp(`MNIST: train-images-idx3-ubyte and train-labels-idx1-ubyte not found \\(plain or .gz\\) in ${join(r, 'MNIST', 'raw')}\\. Put the IDX files there yourself, or pass download: true`),
    );
    expect(() => new MNIST({ root: r, download: true })).toThrow(/the constructor cannot download \(it is synchronous\): use `await MNIST.load/);
    expect(() => new FashionMNIST({ root: r })).toThrow(/FashionMNIST: .* not found \(plain or .gz\) in .*FashionMNIST/);
    expect(() => new MNIST({ root: '' })).toThrow(/MNIST: root must be a directory path/);
    expect(() => new MNIST(undefined as never)).toThrow(/MNIST: expected options/);
  });

  it('validates magic numbers, shapes, counts and labels', () => {
    const withFiles = (over: Record<string, Uint8Array>) => root({ ...allFiles, ...over });
    expect(() => new MNIST({ root: withFiles({ 'train-images-idx3-ubyte': train.labels }) })).toThrow(
      /MNIST: .*train-images-idx3-ubyte: expected IDX magic number 2051 \(unsigned bytes, 3 dims: \[N, 28, 28\]\), got 2049 \(unsigned bytes, 1 dims\)/,
    );
    expect(() => new MNIST({ root: withFiles({ 'train-images-idx3-ubyte': idxBytes(0x08, [1, 27, 29], new Uint8Array(27 * 29)) }) })).toThrow(
      /images must be 28x28, got shape \[1, 27, 29\]/,
    );
    expect(() => new MNIST({ root: withFiles({ 'train-labels-idx1-ubyte': idxBytes(0x08, [11], new Uint8Array(11)) }) })).toThrow(
      /has 12 images but .*train-labels-idx1-ubyte has 11 labels/,
    );
    expect(() => new MNIST({ root: withFiles({ 'train-labels-idx1-ubyte': idxBytes(0x08, [12], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]) }) })).toThrow(
      /label 10 at index 10 is out of range \(labels are 0-9\)/,
    );
    expect(() => new MNIST({ root: withFiles({ 'train-images-idx3-ubyte': train.images.subarray(0, 5000) }) })).toThrow(
      /train-images-idx3-ubyte: truncated IDX data: shape \[12, 28, 28\] of unsigned bytes needs 9408 bytes after the header, found 4984/,
    );
    const gz = gzipSync(test.images);
    expect(() => new MNIST({ root: withFiles({ 't10k-images-idx3-ubyte.gz': gz.subarray(0, 40) }), train: false })).toThrow(
      /t10k-images-idx3-ubyte.gz: corrupt or truncated gzip data/,
    );
  });

  it('can be re-created in workers from its recipe', () => {
    const r = root(allFiles);
    const recipe = new MNIST({ root: r, train: false, transform: 'uint8' }).workerRecipe();
    expect(recipe).toMatchObject({ exportName: 'MNIST', args: [{ root: r, train: false, transform: 'uint8' }] });
    expect(new FashionMNIST({ root: root(allFiles, 'FashionMNIST/raw') }).workerRecipe()).toMatchObject({ exportName: 'FashionMNIST' });
  });
});

describe('MNIST downloads', () => {
  const gzFiles: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte.gz': gzipSync(train.images), 'train-labels-idx1-ubyte.gz': gzipSync(train.labels),
    't10k-images-idx3-ubyte.gz': gzipSync(test.images), 't10k-labels-idx1-ubyte.gz': gzipSync(test.labels),
  };
  let server: Server;
  let url = '';
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url!);
      const m = /^\/mirror\/(.+)$/.exec(req.url!);
      const body = m ? gzFiles[m[1]!] : undefined;
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches only the missing files of the split, trying mirrors in order', async () => {
    const r = root({ 'train-labels-idx1-ubyte': train.labels });
    requests.length = 0;
    const ds = await MNIST.load({ root: r, download: true, mirrors: [`${url}/missing/`, `${url}/mirror`], checkMd5: false });
    expect(ds.length).toBe(12);
    expect(requests).toEqual(['/missing/train-images-idx3-ubyte.gz', '/mirror/train-images-idx3-ubyte.gz']);
    expect(readdirSync(join(r, 'MNIST', 'raw')).sort()).toEqual(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte']);
    // Present files are not fetched again.
    requests.length = 0;
    expect(await MNIST.download(r, { mirrors: [`${url}/mirror/`], checkMd5: false })).toEqual([]);
    expect(requests).toEqual([]);
    const te = await FashionMNIST.load({ root: r, train: false, download: true, mirrors: [`${url}/mirror/`], checkMd5: false });
    expect(te.targets.toArray()).toEqual([9, 8, 7, 6, 5]);
    expect(existsSync(join(r, 'FashionMNIST', 'raw', 't10k-labels-idx1-ubyte.gz'))).toBe(true);
  });

  it('checks the published MD5 and the IDX structure before writing', async () => {
    const r = root({});
    await expect(MNIST.load({ root: r, download: true, mirrors: [`${url}/mirror/`] })).rejects.toThrow(
      /MNIST: could not download train-images-idx3-ubyte.gz from any mirror \(.*train-images-idx3-ubyte.gz: MD5 [0-9a-f]{32} does not match the published f68b3c2dcbeaaa9fbdd348bbdeb94873\)/,
    );
    expect(existsSync(join(r, 'MNIST', 'raw', 'train-images-idx3-ubyte.gz'))).toBe(false);
    const sum = createHash('md5').update(gzFiles['train-images-idx3-ubyte.gz']!).digest('hex');
    expect(sum).not.toBe('f68b3c2dcbeaaa9fbdd348bbdeb94873');
    // A labels file served as images fails the structure check.
    const swapped = gzFiles['train-images-idx3-ubyte.gz'];
    gzFiles['train-images-idx3-ubyte.gz'] = gzFiles['train-labels-idx1-ubyte.gz']!;
    try {
      await expect(MNIST.download(r, { mirrors: [`${url}/mirror/`], checkMd5: false })).rejects.toThrow(/expected IDX magic number 2051/);
    } finally {
      gzFiles['train-images-idx3-ubyte.gz'] = swapped!;
    }
  });

  it('reports an unreachable network, saying where to put the files', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = root({});
    await expect(MNIST.load({ root: r, download: true, mirrors: [`http://127.0.0.1:${port}/`], timeout: 5000 })).rejects.toThrow(
      new RegExp(`could not download train-images-idx3-ubyte.gz from any mirror \\(http://127.0.0.1:${port}/train-images-idx3-ubyte.gz: fetch failed \\(ECONNREFUSED\\)\\)\\. Put train-images-idx3-ubyte \\(plain or .gz\\) in ${join(r, 'MNIST', 'raw')} yourself`),
    );
    await expect(MNIST.download(r, { mirrors: [] })).rejects.toThrow(/mirrors must be a non-empty array of base URLs/);
  });
});
