import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { full, keep, memoryStats, tensor, tidy, zeros, type Tensor } from '../src/index.js';

// A handle on V8's gc() without a command-line flag: the flag set at run time applies to contexts
// created afterwards.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Collects garbage and lets the FinalizationRegistry callbacks run (they run between turns). */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await turn();
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('garbage collection frees native memory', () => {
  test('a disposed tensor finalised later does not free the storage that reused its slot', async () => {
    const survivors: ReturnType<typeof zeros>[] = [];
    (() => {
      for (let i = 0; i < 100; i++) {
        zeros([8]).dispose(); // frees the slot now; its Storage is finalised at some later GC
        survivors.push(full([8], i)); // takes the freed slot, with a new generation
      }
    })();
    await collect();
    survivors.forEach((t, i) => expect(Array.from(t.data() as Float32Array)).toEqual(new Array(8).fill(i)));
  });

  test('10^6 small ops without dispose keep RSS and live storages bounded', async () => {
    const x = full([16], 1.5);
    let peak = 0;
    const run = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const k = i % 3;
        if (k === 0) x.clone();
        else if (k === 1) x.to('float64');
        else full([16], i);
        if (i % 1000 === 999) {
          await turn();
          peak = Math.max(peak, process.memoryUsage().rss);
        }
      }
    };
    await run(100_000); // warm-up: JIT, allocator size classes, V8 heap sizing
    await collect();
    const live0 = memoryStats().liveStorages;
    const rss0 = process.memoryUsage().rss;
    peak = rss0;
    await run(1_000_000);
    await collect();
    const live1 = memoryStats().liveStorages;
    // Garbage tensors wait for a major GC (objects registered with a FinalizationRegistry survive
    // scavenges); the native side reports each storage's full footprint to V8 so those collections
    // come often: about 50 MB of growth measured. Without release, 10^6 tensors would hold far
    // more than this bound and live storages would not return.
    expect(peak - rss0).toBeLessThan(120 * 1024 * 1024);
    expect(live1 - live0).toBeLessThan(1000);
    x.dispose();
  }, 180_000);

  test('unreachable tensors are released after a GC', async () => {
    await collect();
    const live0 = memoryStats().liveStorages;
    (() => {
      for (let i = 0; i < 200; i++) zeros([8]);
    })();
    expect(memoryStats().liveStorages).toBeGreaterThanOrEqual(live0 + 1);
    await collect();
    expect(memoryStats().liveStorages).toBeLessThanOrEqual(live0 + 5);
  });
});

describe('dispose', () => {
  test('use after dispose is a clear error; double dispose is harmless', () => {
    const t = tensor([1, 2, 3], { dtype: 'float32' });
    const live = memoryStats().liveStorages;
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(memoryStats().liveStorages).toBe(live - 1);
    expect(() => t.data()).toThrow(/disposed/);
    expect(() => t.toArray()).toThrow(/disposed/);
    expect(() => t.clone()).toThrow(/disposed/);
    expect(() => t.dispose()).not.toThrow();
    expect(memoryStats().liveStorages).toBe(live - 1);
  });

  test('a view keeps the storage alive until both are disposed', () => {
    const base = tensor([1, 2, 3, 4], { dtype: 'float32' });
    const view = base._view([2], [2], 1);
    const st = base._st;
    const live = memoryStats().liveStorages;
    base.dispose();
    expect(st.isReleased).toBe(false);
    expect(memoryStats().liveStorages).toBe(live);
    expect(view.toArray()).toEqual([2, 4]);
    expect(() => base.toArray()).toThrow(/disposed/);
    view.dispose();
    expect(st.isReleased).toBe(true);
    expect(() => view.toArray()).toThrow(/disposed/);
  });

  test('`using` disposes at block end', () => {
    let outer: Tensor;
    const live = memoryStats().liveStorages;
    {
      using t = zeros([3]);
      outer = t;
      expect(memoryStats().liveStorages).toBe(live + 1);
      expect(t.toArray()).toEqual([0, 0, 0]);
    }
    expect(outer.isDisposed).toBe(true);
    expect(memoryStats().liveStorages).toBe(live);
  });

  test('`using` disposes when the block throws', () => {
    let outer: Tensor | undefined;
    expect(() => {
      using t = zeros([3]);
      outer = t;
      throw new Error('boom');
    }).toThrow('boom');
    expect(outer!.isDisposed).toBe(true);
  });
});

describe('tidy', () => {
  test('disposes intermediates and keeps the result', () => {
    const live = memoryStats().liveStorages;
    const made: Tensor[] = [];
    const r = tidy(() => {
      const a = zeros([4]);
      const b = a.to('float64');
      const c = b.clone();
      made.push(a, b, c);
      return c;
    });
    expect(made[0]!.isDisposed).toBe(true);
    expect(made[1]!.isDisposed).toBe(true);
    expect(r.isDisposed).toBe(false);
    expect(r.toArray()).toEqual([0, 0, 0, 0]);
    expect(memoryStats().liveStorages).toBe(live + 1);
    r.dispose();
  });

  test('keeps tensors nested in arrays and objects', () => {
    let tmp!: Tensor;
    const out = tidy(() => {
      tmp = zeros([1]);
      return { a: zeros([2]), list: [zeros([3]), { deep: zeros([4]) }], n: 3 };
    });
    expect(tmp.isDisposed).toBe(true);
    expect(out.a.isDisposed).toBe(false);
    expect((out.list[0] as Tensor).isDisposed).toBe(false);
    expect((out.list[1] as { deep: Tensor }).deep.isDisposed).toBe(false);
    expect((out.list[1] as { deep: Tensor }).deep.shape).toEqual([4]);
  });

  test('nested tidy: an inner result moves to the outer scope', () => {
    let inner!: Tensor;
    let innerTmp!: Tensor;
    let outerTmp!: Tensor;
    const r = tidy(() => {
      outerTmp = zeros([1]);
      inner = tidy(() => {
        innerTmp = zeros([2]);
        return zeros([3]);
      });
      expect(innerTmp.isDisposed).toBe(true);
      expect(inner.isDisposed).toBe(false);
      return zeros([5]);
    });
    expect(outerTmp.isDisposed).toBe(true);
    expect(inner.isDisposed).toBe(true); // not returned from the outer scope
    expect(r.isDisposed).toBe(false);
  });

  test('rethrows and cleans up on exception', () => {
    const live = memoryStats().liveStorages;
    let t!: Tensor;
    expect(() =>
      tidy(() => {
        t = zeros([8]);
        zeros([8]);
        throw new Error('inside tidy');
      }),
    ).toThrow('inside tidy');
    expect(t.isDisposed).toBe(true);
    expect(memoryStats().liveStorages).toBe(live);
    // the scope stack is intact afterwards
    let after!: Tensor;
    tidy(() => {
      after = zeros([1]);
    });
    expect(after.isDisposed).toBe(true);
  });

  test('keep() exempts a tensor', () => {
    let kept!: Tensor;
    let dropped!: Tensor;
    tidy(() => {
      kept = keep(zeros([2]));
      dropped = zeros([2]);
    });
    expect(kept.isDisposed).toBe(false);
    expect(dropped.isDisposed).toBe(true);
  });

  test('rejects async functions', () => {
    expect(() => tidy((async () => zeros([1])) as never)).toThrow(/synchronous/);
    expect(() => tidy(3 as never)).toThrow(/expected a function/);
  });
});

describe('caching allocator', () => {
  test('after disposing a tensor, the same size is a cache hit', () => {
    const a = zeros([1234]);
    a.dispose();
    const before = memoryStats();
    const b = zeros([1234]);
    const after = memoryStats();
    expect(after.allocations - before.allocations).toBe(1);
    expect(after.cacheHits - before.cacheHits).toBe(1);
    expect(after.reservedBytes).toBe(before.reservedBytes);
    expect(after.allocatedBytes - before.allocatedBytes).toBeGreaterThanOrEqual(1234 * 4);
    b.dispose();
    expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes);
  });
});

describe('worker threads', () => {
  test('the addon loads and works in a worker_thread', async () => {
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('@cinder/native')), 'index.js');
    expect(existsSync(dist), `build @cinder/native first (${dist})`).toBe(true);
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.url).then(({ native }) => {
        const h = native.fromBytes(new Float32Array([1.5, 2.5, 3.5]));
        const vals = Array.from(new Float32Array(native.view(h)));
        const live = native.memoryStats().liveStorages;
        native.release(h);
        parentPort.postMessage({ vals, live, after: native.memoryStats().liveStorages });
      }).catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
    `;
    const runWorker = async (): Promise<{ vals?: number[]; live?: number; after?: number; error?: string }> => {
      const w = new Worker(code, { eval: true, workerData: { url: pathToFileURL(dist).href } });
      try {
        return await new Promise((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
        });
      } finally {
        await w.terminate();
      }
    };
    // two at once: each thread gets its own addon instance (storage table, frame)
    for (const msg of await Promise.all([runWorker(), runWorker()])) {
      expect(msg.error).toBeUndefined();
      expect(msg.vals).toEqual([1.5, 2.5, 3.5]);
      expect(msg.live).toBe(1);
      expect(msg.after).toBe(0);
    }
    // the main thread's addon instance still works
    expect(tensor([1, 2], { dtype: 'float32' }).toArray()).toEqual([1, 2]);
  });
});

describe('garbage collection during synchronous loops', () => {
  test('a loop that never yields to the event loop reuses the memory of its dead tensors', () => {
    const x = full([65536], 2); // 256 KiB per result
    const s0 = memoryStats();
    for (let i = 0; i < 4000; i++) x.neg(); // about 1 GiB of results, all garbage at once
    const s1 = memoryStats();
    // Without collection during the loop every result would still be held (~1 GiB, 4000 storages).
    expect(s1.allocatedBytes - s0.allocatedBytes).toBeLessThan(160 * 1024 * 1024);
    expect(s1.liveStorages - s0.liveStorages).toBeLessThan(600);
    expect(s1.cacheHits - s0.cacheHits).toBeGreaterThan(3000);
    x.dispose();
  });
});

describe('trackers under heavy allocation', () => {
  test('millions of tiny ops, with collections inside tracker creation, leave the heap intact', async () => {
    // A collection can run while a tracker is being created and unlink its neighbours; the tracker
    // list was once linked from a stale head there, corrupting the heap (abort at exit, about every
    // other run of this script).
    const { spawnSync } = await import('node:child_process');
    const entry = pathToFileURL(join(dirname(new URL(import.meta.url).pathname), '..', 'dist', 'index.js')).href;
    const script = `import { tensor, add } from ${JSON.stringify(entry)};
const a = tensor([1, 2, 3, 4]), b = tensor([5, 6, 7, 8]);
for (let i = 0; i < 3_000_000; i++) add(a, b);
console.log('done');`;
    for (let run = 0; run < 3; run++) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('done');
      expect(r.status).toBe(0);
    }
  }, 240_000);
});
