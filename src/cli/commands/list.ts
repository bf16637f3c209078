import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { modelDirs } from '../../config/validate.js';
import { augmentations, builtinArchitectures, callbacks, classWeights, layers, losses, metrics, optimizers, schedulers, schedules, ttaViews } from '../../registry/index.js';
import { registerModelFiles } from '../../registry/architectures/yaml-architecture.js';
import type { Entry, Registry } from '../../registry/registry.js';
import { describeParams } from '../describe-params.js';
import { printIssues } from '../../core/print-issues.js';

const KINDS = ['architectures', 'layers', 'augmentations', 'class-weights', 'optimizers', 'schedules', 'losses', 'callbacks', 'tta', 'schedulers', 'metrics'] as const;
type Kind = (typeof KINDS)[number];

interface Args {
  kind?: Kind;
}

function registries(): Record<Kind, Registry<Entry>> {
  const architectures = builtinArchitectures();
  // A broken model file should not hide the rest of the list; say what is wrong with it.
  printIssues([...registerModelFiles(architectures, modelDirs('experiments/any.yaml')).values()].flat());
  return { architectures, layers, augmentations, 'class-weights': classWeights, optimizers, schedules, losses, callbacks, tta: ttaViews, schedulers, metrics };
}

export const listCommand: CommandBody<Args> = {
  builder: (y: Argv) => y.positional('kind', { choices: KINDS, describe: 'one kind of component' }) as unknown as Argv<Args>,
  handler: (args) => {
    const all = registries();
    const lines: string[] = [];
    for (const kind of args.kind ? [args.kind] : KINDS) {
      lines.push(`${kind}:`);
      for (const entry of all[kind].entries()) {
        // A metric also says where an experiment may name it.
        const uses = kind === 'metrics' ? ` [${metrics.get(entry.name).uses.join(', ')}]` : '';
        lines.push(`  ${entry.name}  - ${entry.summary}${uses}`);
        for (const p of describeParams(entry.params)) lines.push(`      ${p}`);
      }
      lines.push('');
    }
    process.stdout.write(lines.join('\n'));
  },
};
