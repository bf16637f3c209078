import { Type } from '@sinclair/typebox';
import { component } from '../component.js';
import { Params } from '../params.js';
import { entry, type ArchitectureComponent } from './architecture.js';

export const cnn4: ArchitectureComponent = component({
  name: 'cnn4',
  summary: 'four conv blocks (conv, batch norm, relu, max-pool), global average pooling, dropout, then the output',
  params: Params({
    filters: Type.Array(Type.Integer({ minimum: 1 }), {
      minItems: 4,
      maxItems: 4,
      default: [16, 32, 64, 128],
      description: 'filters of the four conv blocks',
    }),
    dense: Type.Integer({ minimum: 0, default: 64, description: 'units of the hidden dense layer (0: none)' }),
    dropout: Type.Number({ minimum: 0, exclusiveMaximum: 1, default: 0.3, description: 'dropout rate after pooling and the hidden layer' }),
  }),
  create: (p) => [
    ...p.filters.flatMap((filters) => [
      entry('conv2d', { filters, kernel: 3, padding: 'same', bias: false }),
      entry('batchnorm'),
      entry('activation', { fn: 'relu' }),
      entry('maxpool', { size: 2 }),
    ]),
    entry('global_avgpool'),
    ...(p.dropout > 0 ? [entry('dropout', { rate: p.dropout })] : []),
    ...(p.dense > 0 ? [entry('dense', { units: p.dense, activation: 'relu' })] : []),
    ...(p.dropout > 0 && p.dense > 0 ? [entry('dropout', { rate: p.dropout })] : []),
  ],
});
