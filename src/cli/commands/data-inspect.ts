import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { CommandBody } from '../commands.js';
import { loadAndValidate } from '../../config/validate.js';
import { augmentPreview } from '../../inspect/augment-preview.js';
import { formatInspection } from '../../inspect/format.js';
import { inspectData } from '../../inspect/inspect.js';
import { inspectionPlots } from '../../inspect/plots.js';
import { reportError } from '../../core/report-error.js';
import { Progress } from '../../core/progress.js';

interface InspectArgs {
  dir?: string;
  augment?: string;
  out?: string;
  json: boolean;
  group?: string;
  'group-from': 'name' | 'path';
}

/** `--augment experiment.yaml`: a grid of that experiment's augmented training images. */
async function previewAugmentations(file: string, out: string | undefined): Promise<void> {
  const exp = loadAndValidate(file, [], { requireData: true });
  const plot = await augmentPreview(exp);
  const folder = out ?? `inspect-${exp.config.name}`;
  await mkdir(folder, { recursive: true });
  const png = path.join(folder, 'augmented.png');
  await writeFile(png, plot.png);
  await writeFile(path.join(folder, 'augmented.svg'), plot.svg);
  process.stdout.write(`wrote ${png} (and augmented.svg): training images as loaded, then augmented as ${exp.config.name} trains on them\n`);
}

const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect [dir]',
  describe: 'counts per split and class, image sizes and channels, duplicates across splits, unreadable files, with --group the groups (patients) per split and any in two splits; writes size_scatter.png and preview.png. With --augment x.yaml: a grid of that experiment\'s augmented training images',
  builder: (y: Argv) =>
    y
      .positional('dir', { type: 'string', describe: 'data folder laid out as <dir>/<split>/<CLASS>/<image>' })
      .option('augment', { type: 'string', describe: "an experiment file: write augmented.png, a grid of its training images as its augment: list changes them" })
      .check((a) => (a.dir === undefined) !== (a.augment === undefined) || 'give a data folder, or --augment <experiment.yaml>, not both')
      .option('out', { type: 'string', describe: 'where the plots go (default ./inspect-<name of dir>)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the findings as JSON' })
      .option('group', { type: 'string', describe: "a regex whose first capture group is a file's group (patient), as data.validation.group: groups per split, and any in two splits" })
      .option('group-from', { choices: ['name', 'path'] as const, default: 'name' as const, describe: '--group matches the file name or its path under <dir>' }) as unknown as Argv<InspectArgs>,
  handler: async (args) => {
    try {
      if (args.augment !== undefined) return await previewAugmentations(args.augment, args.out);
      const progress = new Progress(process.stderr, args.json);
      const group = args.group !== undefined ? { group: { pattern: args.group, from: args['group-from'] } } : {};
      const result = await inspectData(args.dir!, { ...group, onProgress: (done, total) => progress.update(`reading images ${done}/${total}`) });
      progress.line(`read ${result.images.length + result.unreadable.length} files`);
      const out = args.out ?? `inspect-${path.basename(path.resolve(args.dir!))}`;
      await mkdir(out, { recursive: true });
      const plots = await inspectionPlots(result);
      const written = await Promise.all(
        Object.entries(plots).map(async ([file, plot]) => {
          await writeFile(path.join(out, file), plot.png);
          return path.join(out, file);
        }),
      );
      if (args.json) {
        // Image-level rows are long; the JSON keeps the findings and the plot paths.
        const { images: _images, ...findings } = result;
        process.stdout.write(`${JSON.stringify({ ...findings, images: result.images.length, plots: written }, (_k, v: unknown) => (v === Infinity ? null : v), 2)}\n`);
      } else {
        process.stdout.write(`${formatInspection(result)}\n\nwrote ${written.join(', ')}\n`);
      }
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};

/** `exp data <command>`: tools for looking at a data folder before training on it. */
export const dataCommand: CommandBody = {
  builder: (y: Argv) => y.command(inspectCommand).demandCommand(1, 'name a data command: inspect'),
  handler: () => {},
};
