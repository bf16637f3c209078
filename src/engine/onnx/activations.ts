import type { GraphBuilder } from './graph.js';
import { LEAKY_RELU_ALPHA, type Activation } from '../../model/spec.js';

/**
 * Applies `act` on `z`; the channel/feature axis is 1 in the internal layout (softmax's axis).
 * Gradients come from the per-op rules (gradients.ts), which follow tfjs at the kinks.
 */
export function applyActivation(g: GraphBuilder, act: Activation, z: string): string {
  switch (act) {
    case 'linear':
      return z;
    case 'relu':
      return g.op('Relu', [z]);
    case 'relu6':
      return g.op('Clip', [z, g.scalar(0), g.scalar(6)]);
    case 'hard_sigmoid':
    case 'hard_swish': {
      // gate = relu6(z + 3) / 6
      const gate = g.mul(g.op('Clip', [g.add(z, g.scalar(3)), g.scalar(0), g.scalar(6)]), g.scalar(1 / 6));
      return act === 'hard_sigmoid' ? gate : g.mul(z, gate);
    }
    case 'sigmoid':
      return g.op('Sigmoid', [z]);
    case 'tanh':
      return g.op('Tanh', [z]);
    case 'elu':
      return g.op('Elu', [z], { alpha: { float: 1 } });
    case 'leaky_relu':
      return g.op('LeakyRelu', [z], { alpha: { float: LEAKY_RELU_ALPHA } });
    case 'softmax':
      return g.op('Softmax', [z], { axis: 1 });
    case 'gelu':
      // Exact (erf) GELU as tfjs: z * Phi(z).
      return g.mul(z, g.mul(g.add(g.scalar(1), g.op('Erf', [g.mul(z, g.scalar(Math.SQRT1_2))])), g.scalar(0.5)));
    case 'swish':
      return g.mul(z, g.op('Sigmoid', [z]));
  }
}
