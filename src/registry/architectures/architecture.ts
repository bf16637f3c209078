import type { ConfigIssue } from '../../config/issues.js';
import type { Component } from '../component.js';

/**
 * One layer of a model as YAML writes it, after normalising `- name: {params}` / `- name`.
 * A graph's entries name themselves and their inputs; without, each takes the entry before.
 */
export interface LayerEntry {
  layer: string;
  params: Record<string, unknown>;
  id?: string;
  inputs?: string[];
  /** Where the entry was written (a YAML model), for shape errors found later. */
  where?: ConfigIssue['where'];
}

export interface ArchitectureContext {
  /** Number of classes; the output head is sized from it by the model builder. */
  classes: number;
}

/**
 * An architecture expands into a list of layer entries (the body of the model); the model
 * builder validates them through the layer registry and appends the classification head.
 */
export type ArchitectureComponent = Component<ArchitectureContext, LayerEntry[]> & {
  /** Where a YAML-defined architecture came from, for `exp list` and error messages. */
  source?: string;
};

export const entry = (layer: string, params: Record<string, unknown> = {}): LayerEntry => ({ layer, params });
