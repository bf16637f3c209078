import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { entry, type ArchitectureComponent } from './architecture.js';

export const cnn2: ArchitectureComponent = component({
  name: 'cnn2',
  summary: "the seed study's CNN: two conv + max-pool blocks, an optional hidden dense layer, then the output",
  params: Params({
    filters: Type.Tuple([Type.Integer({ minimum: 1 }), Type.Integer({ minimum: 1 })], {
      default: [32, 64],
      description: 'filters of the two conv layers',
    }),
    kernel: Type.Integer({ minimum: 1, default: 3, description: 'conv kernel size' }),
    dense: Type.Integer({ minimum: 0, default: 0, description: 'units of a hidden dense layer (0: none)' }),
    dropout: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0, description: 'dropout before the output (0: none)' }),
  }),
  create: (p) => [
    ...p.filters.flatMap((filters) => [
      entry('conv2d', { filters, kernel: p.kernel, activation: 'relu' }),
      entry('maxpool', { size: 2 }),
    ]),
    entry('flatten'),
    ...(p.dense > 0 ? [entry('dense', { units: p.dense, activation: 'relu' })] : []),
    ...(p.dropout > 0 ? [entry('dropout', { rate: p.dropout })] : []),
  ],
});
