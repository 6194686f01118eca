/**
 * In-place replacement of a tensor's data, as PyTorch's `param.data = new` does: Module.to() uses
 * it so that a parameter keeps its identity (optimizers, tied weights and user references keep
 * working) while its dtype or device changes. @cinder/tensor has no public setter for this, so the
 * tensor's storage reference and geometry are rewritten here, keeping the storages' reference
 * counts right.
 */
import type { Tensor } from '@cinder/tensor';

type Writable = { -readonly [K in 'dtype' | 'shape' | 'strides' | 'offset' | '_st' | '_base']: Tensor[K] };

/**
 * Makes `t` use `fresh`'s storage, dtype and layout. `fresh` must be a new tensor that nothing else
 * refers to (it is disposed: `t` now owns its storage). Bumps the storage version, so autograd
 * refuses graphs that saved `t` before the change.
 */
export function replaceData(t: Tensor, fresh: Tensor): void {
  if (fresh === t) return;
  const st = fresh._live();
  const old = t._live();
  st.refs++;
  st.version = Math.max(st.version, old.version) + 1;
  const w = t as unknown as Writable;
  w._st = st;
  w.dtype = fresh.dtype;
  w.shape = fresh.shape;
  w.strides = fresh.strides;
  w.offset = fresh.offset;
  w._base = undefined;
  if (--old.refs <= 0) old.release();
  fresh.dispose();
}
