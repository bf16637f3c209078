import type { LayerSpec } from '../../../model/spec.js';
import { activation } from './activation.js';
import { avgpool } from './avgpool.js';
import { batchnorm } from './batchnorm.js';
import { conv2d } from './conv2d.js';
import { dense } from './dense.js';
import { dropout } from './dropout.js';
import { flatten } from './flatten.js';
import { globalAvgpool } from './global-avgpool.js';
import { globalMaxpool } from './global-maxpool.js';
import { maxpool } from './maxpool.js';
import type { LayerLowering } from './types.js';

type LoweringTable = { [K in LayerSpec['type']]: LayerLowering<Extract<LayerSpec, { type: K }>> };

const table: LoweringTable = {
  conv2d, maxpool, avgpool, global_avgpool: globalAvgpool, global_maxpool: globalMaxpool,
  flatten, dense, dropout, batchnorm, activation,
};

/** The lowering for a layer spec, typed against that spec. */
export function loweringFor<S extends LayerSpec>(spec: S): LayerLowering<S> {
  return table[spec.type] as unknown as LayerLowering<S>;
}
