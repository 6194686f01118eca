import { it } from 'vitest';
import { ones, tensor, softmax } from '../src/index.js';
it('bench', () => {
  const x = ones([1e7]); const m = ones([3000, 3000]);
  const t = (name: string, f: () => any) => { f().dispose(); const s = performance.now(); for (let i = 0; i < 10; i++) f().dispose(); console.log(name, ((performance.now() - s) / 10).toFixed(2), 'ms'); };
  t('amax 1e7 f32', () => x.amax());
  t('softmax(1) 3000^2', () => softmax(m, 1));
  t('softmax(0) 3000^2', () => softmax(m, 0));
  t('cumsum(1) 3000^2', () => m.cumsum(1));
  t('cumsum(0) 3000^2', () => m.cumsum(0));
  t('clone 3000^2', () => m.clone());
});
