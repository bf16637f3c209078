import type { GraphBuilder } from './graph.js';
import { LEAKY_RELU_ALPHA, type Activation } from '../../model/spec.js';

export interface AppliedActivation {
  y: string;
  /** Maps dL/dy to dL/dz (z = pre-activation). */
  backward: (dy: string) => string;
}

/** Applies `act` on `z`; the channel/feature axis is 1 in the internal layout (softmax's axis). */
export function applyActivation(g: GraphBuilder, act: Activation, z: string): AppliedActivation {
  const one = (): string => g.scalar(1);
  const where = (cond: string, a: string, b: string): string => g.op('Where', [cond, a, b]);
  const positive = (y: string): string => g.op('Greater', [y, g.scalar(0)]);
  switch (act) {
    case 'linear':
      return { y: z, backward: (dy) => dy };
    case 'relu': {
      const y = g.op('Relu', [z]);
      // tfjs's step(x): 1 where x > 0 else 0 (Cast(Greater) measured ~2x faster than Sign in ORT).
      return { y, backward: (dy) => g.mul(dy, g.op('Cast', [positive(y)], { to: 1 })) };
    }
    case 'relu6': {
      const y = g.op('Clip', [z, g.scalar(0), g.scalar(6)]);
      // tfjs's relu6 gradient: 1 where 0 < x <= 6 (ties at 6 pass, as its step(6 - x) does).
      const inside = g.op('And', [positive(y), g.op('LessOrEqual', [z, g.scalar(6)])]);
      return { y, backward: (dy) => g.mul(dy, g.op('Cast', [inside], { to: 1 })) };
    }
    case 'hard_sigmoid':
    case 'hard_swish': {
      // gate = relu6(z + 3) / 6; its slope is 1/6 where -3 < z <= 3 (tfjs's relu6 rule).
      const shifted = g.add(z, g.scalar(3));
      const gate = g.mul(g.op('Clip', [shifted, g.scalar(0), g.scalar(6)]), g.scalar(1 / 6));
      const slope = g.mul(g.op('Cast', [g.op('And', [positive(shifted), g.op('LessOrEqual', [shifted, g.scalar(6)])])], { to: 1 }), g.scalar(1 / 6));
      if (act === 'hard_sigmoid') return { y: gate, backward: (dy) => g.mul(dy, slope) };
      return { y: g.mul(z, gate), backward: (dy) => g.mul(dy, g.add(gate, g.mul(z, slope))) };
    }
    case 'sigmoid': {
      const y = g.op('Sigmoid', [z]);
      return { y, backward: (dy) => g.mul(dy, g.mul(y, g.sub(one(), y))) };
    }
    case 'tanh': {
      const y = g.op('Tanh', [z]);
      return { y, backward: (dy) => g.mul(dy, g.sub(one(), g.mul(y, y))) };
    }
    case 'elu': {
      const y = g.op('Elu', [z], { alpha: { float: 1 } });
      return { y, backward: (dy) => where(positive(y), dy, g.mul(dy, g.add(y, one()))) };
    }
    case 'leaky_relu': {
      const y = g.op('LeakyRelu', [z], { alpha: { float: LEAKY_RELU_ALPHA } });
      return { y, backward: (dy) => where(positive(y), dy, g.mul(dy, g.scalar(LEAKY_RELU_ALPHA))) };
    }
    case 'softmax': {
      const y = g.op('Softmax', [z], { axis: 1 });
      return { y, backward: (dy) => g.mul(y, g.sub(dy, g.reduceSum(g.mul(dy, y), [1], true))) };
    }
    case 'gelu': {
      // Exact (erf) GELU as tfjs: y = z * Phi(z); dy/dz = Phi(z) + z * phi(z).
      const phi = g.mul(g.add(one(), g.op('Erf', [g.mul(z, g.scalar(Math.SQRT1_2))])), g.scalar(0.5));
      const y = g.mul(z, phi);
      return {
        y,
        backward: (dy) => {
          const density = g.mul(g.op('Exp', [g.mul(g.mul(z, z), g.scalar(-0.5))]), g.scalar(1 / Math.sqrt(2 * Math.PI)));
          return g.mul(dy, g.add(phi, g.mul(z, density)));
        },
      };
    }
    case 'swish': {
      const s = g.op('Sigmoid', [z]);
      const y = g.mul(z, s);
      // d(z*s)/dz = s + z*s*(1-s) = y + s*(1-y)
      return { y, backward: (dy) => g.mul(dy, g.add(y, g.mul(s, g.sub(one(), y)))) };
    }
  }
}
