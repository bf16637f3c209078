import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { entry, type ArchitectureComponent } from './architecture.js';

export const cnn1: ArchitectureComponent = component({
  name: 'cnn1',
  summary: "the seed study's smallest CNN: one conv + max-pool block, then the output",
  params: Params({
    filters: Type.Integer({ minimum: 1, default: 32, description: 'conv filters' }),
    kernel: Type.Integer({ minimum: 1, default: 3, description: 'conv kernel size' }),
  }),
  create: (p) => [
    entry('conv2d', { filters: p.filters, kernel: p.kernel, activation: 'relu' }),
    entry('maxpool', { size: 2 }),
    entry('flatten'),
  ],
});
