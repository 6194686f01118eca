/**
 * Variable: a named tensor owned by a module (Sonnet's tf.Variable). It is a Tensor sharing the
 * storage of the value it was made from, a leaf that requires grad when trainable, so it goes
 * straight into @cinder/autograd (`grad(loss, mlp.trainableVariables)`) and into any optimizer.
 */
import { noGrad } from '@cinder/autograd';
import { isFloatingDType, Tensor } from '@cinder/tensor';

/** What names a variable: its module (whose scope prefixes the name) or nothing. */
export interface VariableOwner {
  readonly scopeName: string;
}

export interface VariableOptions {
  /** The variable's name; inside a module it is prefixed by the module's scope (`mlp/linear_0/w`). */
  name?: string;
  /** Whether optimizers should train it (default true); trainable floating variables require grad. */
  trainable?: boolean;
}

function describe(t: Tensor): string {
  return `[${t.shape.join(', ')}] (${t.dtype})`;
}

/**
 * A named tensor. Modules make theirs with `createVariable`; a free-standing one is named as given.
 * @example
 * ```ts
 * import { tensor } from '@cinder/tensor';
 * import { Variable } from '@cinder/modules';
 * const v = new Variable(tensor([1, 2, 3]), { name: 'counts' });
 * v.assignAdd(tensor([1, 1, 1]));
 * console.log(v.name, v.requiresGrad, v.toArray()); // counts true [ 2, 3, 4 ]
 * ```
 */
export class Variable extends Tensor {
  declare readonly trainable: boolean;
  #owner: VariableOwner | null = null;
  #localName: string;

  constructor(value: Tensor, opts: VariableOptions = {}) {
    if (!(value instanceof Tensor)) throw new TypeError(`Variable: expected a Tensor value, got ${value === null ? 'null' : typeof value}`);
    const trainable = opts.trainable ?? true;
    if (typeof trainable !== 'boolean') throw new TypeError(`Variable: trainable must be a boolean, got ${String(trainable)}`);
    const name = opts.name ?? 'Variable';
    if (typeof name !== 'string' || name === '') throw new TypeError(`Variable: name must be a non-empty string, got ${String(name)}`);
    super(value._live(), value.dtype, value.shape, value.strides, value.offset);
    Object.defineProperty(this, 'trainable', { value: trainable, enumerable: true });
    this.#localName = name;
    if (trainable && isFloatingDType(value.dtype)) this.requiresGrad = true;
  }

  /** The full name: the owning module's scope, then the variable's own name (`mlp/linear_0/w`). */
  get name(): string {
    return this.#owner === null ? this.#localName : `${this.#owner.scopeName}/${this.#localName}`;
  }

  /** @internal Sets the module whose scope prefixes the name. */
  _setOwner(owner: VariableOwner): void {
    this.#owner = owner;
  }

  /** Copies `value` (a tensor of this shape, or one that broadcasts to it, or a number) in, without recording gradients. */
  assign(value: Tensor | number): this {
    this.#check('assign', value);
    noGrad(() => (typeof value === 'number' ? this.fill_(value) : this.copy_(value)));
    return this;
  }

  /** this += value, without recording gradients. */
  assignAdd(value: Tensor | number): this {
    this.#check('assignAdd', value);
    noGrad(() => this.add_(value));
    return this;
  }

  /** this -= value, without recording gradients. */
  assignSub(value: Tensor | number): this {
    this.#check('assignSub', value);
    noGrad(() => this.sub_(value));
    return this;
  }

  #check(op: string, value: unknown): void {
    if (typeof value === 'number') return;
    if (!(value instanceof Tensor)) throw new TypeError(`Variable.${op}: expected a Tensor or a number for '${this.name}', got ${value === null ? 'null' : typeof value}`);
    const a = this.shape;
    const b = value.shape;
    if (b.length > a.length || b.some((s, i) => s !== 1 && s !== a[a.length - b.length + i])) {
      throw new RangeError(`Variable.${op}: value ${describe(value)} does not fit variable '${this.name}' ${describe(this)}`);
    }
  }

  override toString(): string {
    return `Variable '${this.name}' shape=[${this.shape.join(', ')}] dtype=${this.dtype}${this.trainable ? '' : ' (not trainable)'}\n${super.toString()}`;
  }
}
