// DataLoader throughput against PyTorch's, in one run: one epoch over 60,000 samples in batches of
// 64, shuffled, best of several runs each; each batch is disposed after use, as a training step
// would. Run after building: `node tools/bench/data/loader.mjs [repeats]`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Generator, randint, randn, Tensor } from '@cinder/tensor';
import { DataLoader, ImageClassificationDataset, ProceduralDigits, TensorDataset, defaultCollate } from '@cinder/data';

const repeats = Number(process.argv[2] ?? 3);
const n = 60000;

/** Frees a batch's tensors, as a training step does when it is done with them (PyTorch frees by refcount). */
function disposeAll(v) {
  if (v instanceof Tensor) v.dispose();
  else if (Array.isArray(v)) v.forEach(disposeAll);
  else if (v !== null && typeof v === 'object') Object.values(v).forEach(disposeAll);
}

function best(make, dispose = true) {
  let bestT = Infinity;
  for (let r = 0; r < repeats; r++) {
    const loader = make();
    const t = performance.now();
    for (const batch of loader) if (dispose) disposeAll(batch);
    bestT = Math.min(bestT, (performance.now() - t) / 1000);
  }
  return bestT;
}

const x = randn([n, 784]);
const y = randint(0, 10, [n]);
const images = randint(0, 256, [n, 28, 28], { dtype: 'uint8' });
const g = new Generator().manualSeed(0);
const perItem = { collateFn: defaultCollate };
const cinder = {
  tensor_dataset: best(() => new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true, generator: g })),
  tensor_dataset_kept: best(() => new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true, generator: g }), false),
  tensor_dataset_per_item: best(() => new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true, generator: g, ...perItem })),
  image_dataset: best(() => new DataLoader(new ImageClassificationDataset(images, y), { batchSize: 64, shuffle: true, generator: g })),
  image_dataset_per_item: best(() => new DataLoader(new ImageClassificationDataset(images, y), { batchSize: 64, shuffle: true, generator: g, ...perItem })),
};

let gen = Infinity;
for (let r = 0; r < repeats; r++) {
  const t = performance.now();
  new ProceduralDigits({ length: n });
  gen = Math.min(gen, (performance.now() - t) / 1000);
}

const python = '/usr/bin/python3';
let torch = null;
if (existsSync(python)) {
  try {
    const script = fileURLToPath(new URL('./loader.py', import.meta.url));
    torch = JSON.parse(execFileSync(python, [script, String(repeats)], { encoding: 'utf8' }).trim().split('\n').pop());
  } catch (e) {
    console.log(`PyTorch side failed: ${e.message.split('\n')[0]}`);
  }
}

const ms = (s) => `${(s * 1000).toFixed(1)} ms`;
console.log('one epoch, 60,000 samples, batch 64, shuffled (best of', repeats, 'runs)');
const rows = [
  ['TensorDataset [784] float32 + int64 label', cinder.tensor_dataset, 'tensor_dataset'],
  ['  same, batches left to the GC (not disposed)', cinder.tensor_dataset_kept, 'tensor_dataset'],
  ['  same, per-item getItem + defaultCollate', cinder.tensor_dataset_per_item, 'tensor_dataset'],
  ['uint8 images [28, 28] -> float32 [1, 28, 28] / 255', cinder.image_dataset, 'image_dataset'],
  ['  same, per-item getItem + defaultCollate', cinder.image_dataset_per_item, 'image_dataset'],
];
for (const [name, c, key] of rows) {
  const t = torch?.[key];
  console.log(`${name.padEnd(52)} cinder ${ms(c).padStart(10)}   pytorch ${t ? ms(t).padStart(10) : '        -'}   ratio ${t ? (t / c).toFixed(1) + 'x' : '-'}`);
}
console.log(`ProceduralDigits, 60,000 images generated: ${ms(gen)}`);
