import { Registry } from '../registry.js';
import type { ArchitectureComponent } from './architecture.js';
import { cnn1 } from './cnn1.js';
import { cnn2 } from './cnn2.js';
import { cnn4 } from './cnn4.js';

export type { ArchitectureComponent, LayerEntry } from './architecture.js';

/** Built-in architectures; YAML-defined ones are added per experiment (see yaml-models.ts). */
export function builtinArchitectures(): Registry<ArchitectureComponent> {
  const registry = new Registry<ArchitectureComponent>('architecture');
  for (const a of [cnn1, cnn2, cnn4]) registry.register(a);
  return registry;
}
