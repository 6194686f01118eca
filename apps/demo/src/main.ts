/**
 * The Cinder demo: train a small convolutional network on procedurally generated handwritten
 * digits (MNIST's shapes, made offline), with the Keras workflow and its progress bar; report the
 * test accuracy; save the model, load it back into a fresh network, and classify held-out digits,
 * drawing each one as ASCII art beside its prediction.
 *
 *   npx --yes pnpm@10.34.8 run demo
 *
 * Environment: CINDER_DEMO_TRAIN (training images, default 30000), CINDER_DEMO_EPOCHS (default 3),
 * CINDER_DEMO_OUT (the checkpoint's folder, default a fresh temporary one).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getNumThreads, manualSeed, type Tensor } from '@cinder/tensor';
import { callbacks, load, nn, optim, save } from '@cinder/nn';
import { ProceduralDigits, toAscii } from '@cinder/data';

const TRAIN = Number(process.env.CINDER_DEMO_TRAIN ?? 30_000);
const EPOCHS = Number(process.env.CINDER_DEMO_EPOCHS ?? 3);
const TEST = 5_000;
const started = performance.now();
const seconds = (): string => `${((performance.now() - started) / 1e3).toFixed(1)}s`;

/** LeNet-like: two 3x3 convolutions with pooling, then two linear layers. 52,138 parameters. */
function digitsCnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),   // 16 x 14 x 14
    new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),  // 32 x 7 x 7
    new nn.Flatten(),
    new nn.Linear(32 * 7 * 7, 32), new nn.ReLU(),
    new nn.Linear(32, 10),
  );
}

/** Images as float32 [N, 1, 28, 28] in [0, 1], labels as int64 [N]. */
function tensors(ds: ProceduralDigits): [Tensor, Tensor] {
  const n = ds.data.shape[0]!;
  return [ds.data.to('float32').div(255).reshape([n, 1, 28, 28]), ds.targets];
}

/** Several multi-line blocks side by side. */
function sideBySide(blocks: string[][], gap = 4): string {
  const height = Math.max(...blocks.map((b) => b.length));
  const widths = blocks.map((b) => Math.max(...b.map((l) => l.length)));
  const rows: string[] = [];
  for (let i = 0; i < height; i++) rows.push(blocks.map((b, j) => (b[i] ?? '').padEnd(widths[j]!)).join(' '.repeat(gap)).trimEnd());
  return rows.join('\n');
}

async function main(): Promise<void> {
  manualSeed(0);
  console.log(`Cinder demo: a CNN on procedural digits (${getNumThreads()} threads)\n`);

  const train = new ProceduralDigits({ length: TRAIN, seed: 2026 });
  const test = new ProceduralDigits({ length: TEST, seed: 2026, train: false });
  const [x, y] = tensors(train);
  const [xTest, yTest] = tensors(test);
  console.log(`data: ${TRAIN} training and ${TEST} test images, generated in ${seconds()}`);
  console.log(sideBySide([0, 1, 2, 3, 4].map((i) => [`label ${train.targets.select(0, i).item()}`, ...toAscii(train.data.select(0, i), { charsPerPixel: 1 }).split('\n')])));

  const model = digitsCnn();
  console.log(`\n${model.toString()}`);
  console.log(model.summary({ input: xTest.narrow(0, 0, 1) }));

  const opt = new optim.Adam([...model.parameters()], { lr: 2e-3 });
  model.compile({ optimizer: opt, loss: 'crossEntropy', metrics: ['accuracy'] });
  const history = await model.fit(x, y, {
    epochs: EPOCHS,
    batchSize: 64,
    validationSplit: 0.1,
    callbacks: [
      callbacks.learningRateScheduler(new optim.CosineAnnealingLR(opt, EPOCHS)),
      callbacks.earlyStopping({ monitor: 'valAccuracy', patience: 1, restoreBestWeights: true }),
    ],
  });
  const trainSeconds = seconds();
  const { accuracy } = await model.evaluate(xTest, yTest, { batchSize: 500 });
  console.log(`\ntest accuracy: ${(accuracy! * 100).toFixed(2)}% on ${TEST} held-out images (${history.epoch.length} epochs, ${trainSeconds} so far)`);

  const dir = process.env.CINDER_DEMO_OUT ?? mkdtempSync(join(tmpdir(), 'cinder-demo-'));
  const path = join(dir, 'digits-cnn.safetensors');
  await save(model.stateDict(), path);
  const reloaded = digitsCnn();
  reloaded.loadStateDict(await load(path));
  reloaded.compile({ optimizer: 'adam', loss: 'crossEntropy', metrics: ['accuracy'] });
  const before = await model.predict(xTest, { batchSize: 500 });
  const after = await reloaded.predict(xTest, { batchSize: 500 });
  const agree = before.argmax(1).eq(after.argmax(1)).sum().item();
  console.log(`saved to ${path}; the reloaded model agrees on ${agree}/${TEST} test predictions (max |difference| ${before.sub(after).abs().max().item()})`);

  // A few held-out digits, with the first mistake the model makes among the test images.
  const probs = after.softmax(1).data() as Float32Array;
  const pred = Array.from(after.argmax(1).data() as BigInt64Array, Number);
  const truths = Array.from(yTest.data() as BigInt64Array, Number);
  const picks = [0, 1, 2, 3, 4];
  const firstWrong = pred.findIndex((p, i) => p !== truths[i]);
  picks.push(firstWrong >= 0 ? firstWrong : 5);
  console.log('\nheld-out digits and the reloaded model\'s predictions:');
  const blocks = picks.map((i) => {
    const p = pred[i]!;
    const truth = truths[i]!;
    const head = `${p === truth ? 'right' : 'WRONG'}: ${p} (${(probs[i * 10 + p]! * 100).toFixed(1)}%), is ${truth}`;
    return [head, ...toAscii(test.data.select(0, i), { charsPerPixel: 1 }).split('\n')];
  });
  console.log(sideBySide(blocks.slice(0, 3)));
  console.log();
  console.log(sideBySide(blocks.slice(3)));
  console.log(`\ndone in ${seconds()}`);
  if (accuracy! < 0.97) {
    console.error(`test accuracy ${(accuracy! * 100).toFixed(2)}% is below the 97% this demo is meant to reach`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
