import { ConfigError } from './issues.js';
import type { LoadedExperiment } from './load.js';
import type { Override } from './locate.js';
import { isMapping } from './merge.js';
import { applyOverrides } from './overrides.js';

/** The K a loaded experiment cross-validates with, when it is one; a bad value is left to validation to locate. */
export function kfoldOf(loaded: LoadedExperiment): number | undefined {
  const data = loaded.value.data;
  const validation = isMapping(data) ? data.validation : undefined;
  const k = isMapping(validation) ? validation.kfold : undefined;
  return typeof k === 'number' && Number.isInteger(k) && k >= 2 && k <= 50 ? k : undefined;
}

/**
 * A k-fold experiment as its K fold runs: each sets `data.validation.fold` (after the
 * experiment's own --set, which cannot pick a fold for all of them) and is named `<name> fold=i/K`.
 */
export function expandFolds(loaded: LoadedExperiment, k: number): LoadedExperiment[] {
  return Array.from({ length: k }, (_, fold) => {
    const override: Override = { path: ['data', 'validation', 'fold'], value: fold, text: `data.validation.fold=${fold}`, origin: 'kfold' };
    const value = structuredClone(loaded.value);
    const issues = applyOverrides(value, [override]);
    if (issues.length > 0) throw new ConfigError(issues);
    value.name = `${String(loaded.value.name)} fold=${fold + 1}/${k}`;
    return { ...loaded, value, overrides: [...loaded.overrides, override] };
  });
}
