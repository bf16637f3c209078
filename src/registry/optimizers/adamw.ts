import { component } from '../component.js';
import { adamArrays, adamParams } from './adam.js';
import { tfjsWithDecay, weightDecayParam, type OptimizerComponent } from './optimizer.js';

export const adamw: OptimizerComponent = {
  onnx: true,
  ...component({
    name: 'adamw',
    summary: 'Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch AdamW): each step first shrinks w by lr * weight_decay',
    // PyTorch's AdamW default decay.
    params: adamParams(weightDecayParam('decoupled decay: w -= lr * weight_decay * w each step', 0.01)),
    create: (p) => ({
      name: 'adamw',
      lr: p.lr,
      arrays: () => adamArrays(p, 'decoupled'),
      tfjs: (tf) => tfjsWithDecay(tf, tf.train.adam(p.lr, p.beta1, p.beta2, p.epsilon), p.weight_decay, 'decoupled'),
    }),
  }),
};
