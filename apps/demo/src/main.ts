/** A short tour of @cinder/tensor: create tensors, run ops, print them, and time a matmul. */
import { arange, memoryStats, tensor, zeros } from '@cinder/tensor';

const x = tensor([[1, 2], [3, 4]], { dtype: 'float32' });
console.log('x =', x.toString());
console.log('arange(6) =', arange(6).toString());
console.log('zeros(2, 3) =', zeros(2, 3).toString());
console.log('x as float64 =', x.to('float64').toString());
console.log('memory:', memoryStats());
