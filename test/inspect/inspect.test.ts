/** `exp data inspect` on the repo's sample and on a copy with a duplicate, a corrupt and a resized file. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { formatInspection } from '../../src/inspect/format.js';
import { inspectData, type DataInspection } from '../../src/inspect/inspect.js';
import { inspectionPlots } from '../../src/inspect/plots.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const SAMPLE = path.join(REPO, 'data', 'sample');
const files = (split: string, cls: string): string[] => readdirSync(path.join(SAMPLE, split, cls)).sort();

let root: string;
let messy: string;
beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'exp-inspect-'));
  messy = path.join(root, 'messy');
  const put = (split: string, cls: string, from: string, name = path.basename(from)): string => {
    mkdirSync(path.join(messy, split, cls), { recursive: true });
    const to = path.join(messy, split, cls, name);
    copyFileSync(from, to);
    return to;
  };
  for (const f of files('train', 'NORMAL').slice(0, 3)) put('train', 'NORMAL', path.join(SAMPLE, 'train', 'NORMAL', f));
  for (const f of files('train', 'PNEUMONIA').slice(0, 2)) put('train', 'PNEUMONIA', path.join(SAMPLE, 'train', 'PNEUMONIA', f));
  // A training image again in test, under another name: a leak.
  put('test', 'NORMAL', path.join(SAMPLE, 'train', 'NORMAL', files('train', 'NORMAL')[0]!), 'copy.jpeg');
  // A corrupt file, a truncated JPEG and an odd-sized grayscale PNG.
  mkdirSync(path.join(messy, 'test', 'PNEUMONIA'), { recursive: true });
  writeFileSync(path.join(messy, 'test', 'PNEUMONIA', 'corrupt.jpeg'), 'this is not an image');
  const jpeg = readFileSync(path.join(SAMPLE, 'test', 'PNEUMONIA', files('test', 'PNEUMONIA')[0]!));
  writeFileSync(path.join(messy, 'test', 'PNEUMONIA', 'truncated.jpeg'), jpeg.subarray(0, Math.floor(jpeg.length / 3)));
  await sharp(path.join(SAMPLE, 'test', 'PNEUMONIA', files('test', 'PNEUMONIA')[1]!)).resize(100, 80, { fit: 'fill' }).toColourspace('b-w').png().toFile(path.join(messy, 'test', 'PNEUMONIA', 'small.png'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('inspecting the repo sample', () => {
  let r: DataInspection;
  beforeAll(async () => {
    r = await inspectData(SAMPLE);
  }, 60_000);

  it('counts every split and class, balanced', () => {
    expect(r.classes).toEqual(['NORMAL', 'PNEUMONIA']);
    expect(r.splits.map((s) => [s.split, s.counts, s.total, s.imbalance])).toEqual([
      ['test', { NORMAL: 30, PNEUMONIA: 30 }, 60, 1],
      ['train', { NORMAL: 80, PNEUMONIA: 80 }, 160, 1],
      ['val', { NORMAL: 8, PNEUMONIA: 8 }, 16, 1],
    ]);
  });

  it('sees one size, 3-channel JPEGs, no duplicates, nothing unreadable', () => {
    expect(r.sizes).toEqual([{ size: '224x224', count: 236 }]);
    expect(r.channels).toEqual({ 3: 236 });
    expect(r.formats).toEqual({ jpeg: 236 });
    expect(r.duplicates).toEqual([]);
    expect(r.unreadable).toEqual([]);
  });

  it('draws the size scatter (a point per image) and a preview grid (rows per class)', async () => {
    const plots = await inspectionPlots(r, 4);
    const scatter = plots['size_scatter.png'];
    expect(scatter.svg.match(/width \(px\): 224; height \(px\): 224; class: (NORMAL|PNEUMONIA); split: (train|val|test)/g)).toHaveLength(236);
    expect((await sharp(scatter.png).metadata()).format).toBe('png');
    const preview = plots['preview.png'];
    expect(preview.svg.match(/<image /g)).toHaveLength(8);
    for (const c of r.classes) expect(preview.svg).toContain(`>${c}</text>`);
    const meta = await sharp(preview.png).metadata();
    expect(meta.width).toBeGreaterThan(400);
  });
});

describe('inspecting a messy copy', () => {
  let r: DataInspection;
  beforeAll(async () => {
    r = await inspectData(messy);
  });

  it('counts unreadable files too (training would try them) and gives the imbalance ratio', () => {
    const train = r.splits.find((s) => s.split === 'train')!;
    expect(train.counts).toEqual({ NORMAL: 3, PNEUMONIA: 2 });
    expect(train.imbalance).toBe(1.5);
    expect(r.splits.find((s) => s.split === 'test')!.counts).toEqual({ NORMAL: 1, PNEUMONIA: 3 });
  });

  it('finds the duplicate across splits by content', () => {
    const first = files('train', 'NORMAL')[0]!;
    expect(r.duplicates).toHaveLength(1);
    expect(r.duplicates[0]).toMatchObject({ files: ['test/NORMAL/copy.jpeg', `train/NORMAL/${first}`], splits: ['test', 'train'], crossSplit: true, conflictingLabels: false });
  });

  it('lists the corrupt and the truncated file as unreadable, and the odd size and channel count', () => {
    expect(r.unreadable.map((u) => u.file).sort()).toEqual(['test/PNEUMONIA/corrupt.jpeg', 'test/PNEUMONIA/truncated.jpeg']);
    expect(r.sizes).toContainEqual({ size: '100x80', count: 1 });
    expect(r.channels).toEqual({ 1: 1, 3: 6 });
    const text = formatInspection(r);
    expect(text).toContain('ACROSS SPLITS test/NORMAL/copy.jpeg = train/NORMAL/');
    expect(text).toContain('unreadable: 2');
    expect(text).toMatch(/train\s+3\s+2\s+5\s+1\.50:1/);
  });

  it('a missing folder is a DataError (one line from the CLI)', async () => {
    await expect(inspectData(path.join(root, 'nope'))).rejects.toThrow(DataError);
    await expect(inspectData(path.join(root, 'nope'))).rejects.toThrow(/^data directory not found: /);
  });

  it('exp data inspect prints the findings and writes both plots into --out', () => {
    const bin = path.join(REPO, 'bin', 'exp.js');
    if (!existsSync(path.join(REPO, 'dist', 'cli', 'commands', 'data-inspect.js'))) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
    const out = path.join(root, 'plots');
    const res = spawnSync(process.execPath, [bin, 'data', 'inspect', messy, '--out', out], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('1 across splits');
    expect(res.stdout).toContain('unreadable: 2');
    expect(readdirSync(out).sort()).toEqual(['preview.png', 'size_scatter.png']);
  }, 120_000);
});

describe('groups (patients) per split with a group pattern', () => {
  const PATIENT = String.raw`^((?:NORMAL2-)?IM-\d+|person\d+)`;
  let patients: string;
  beforeAll(async () => {
    patients = path.join(root, 'patients');
    const image = (shade: number) => sharp({ create: { width: 12, height: 10, channels: 3, background: { r: shade, g: shade, b: shade } } }).jpeg().toBuffer();
    const files = [
      'train/NORMAL/IM-0001-0001.jpeg',
      'train/NORMAL/IM-0002-0001.jpeg',
      'train/NORMAL/NORMAL2-IM-0003-0001.jpeg',
      'train/PNEUMONIA/person1_virus_1.jpeg',
      'train/PNEUMONIA/person1_virus_2.jpeg',
      'train/PNEUMONIA/person2_bacteria_3.jpeg',
      'val/PNEUMONIA/person2_bacteria_4.jpeg',
      // Planted: patient IM-0001 again in test, and a test patient of its own.
      'test/NORMAL/IM-0001-0002.jpeg',
      'test/NORMAL/IM-0100-0001.jpeg',
      'test/PNEUMONIA/person9_virus_20.jpeg',
      'test/PNEUMONIA/scan.jpeg',
    ];
    for (const [i, rel] of files.entries()) {
      mkdirSync(path.dirname(path.join(patients, rel)), { recursive: true });
      writeFileSync(path.join(patients, rel), await image(20 * i));
    }
  });

  it('counts the groups of each split, lists the groups in two splits with their files, and the files without a group', async () => {
    const r = await inspectData(patients, { group: { pattern: PATIENT, from: 'name' } });
    expect(r.groups!.splits).toEqual([
      { split: 'test', groups: 3, images: 3 },
      { split: 'train', groups: 5, images: 6 },
      { split: 'val', groups: 1, images: 1 },
    ]);
    expect(r.groups!.shared).toEqual([
      { group: 'IM-0001', splits: ['test', 'train'], files: ['test/NORMAL/IM-0001-0002.jpeg', 'train/NORMAL/IM-0001-0001.jpeg'] },
      { group: 'person2', splits: ['train', 'val'], files: ['train/PNEUMONIA/person2_bacteria_3.jpeg', 'val/PNEUMONIA/person2_bacteria_4.jpeg'] },
    ]);
    expect(r.groups!.unmatched).toEqual(['test/PNEUMONIA/scan.jpeg']);
    const text = formatInspection(r);
    expect(text).toContain('test 3 (3 images), train 5 (6 images), val 1 (1 image)');
    expect(text).toContain('2 groups in more than one split (1 in test and train, 1 in train and val; leak: the same patient is trained on and evaluated on)');
    expect(text).toContain('IN test AND train IM-0001: test/NORMAL/IM-0001-0002.jpeg, train/NORMAL/IM-0001-0001.jpeg');
    expect(text).toContain('no group for 1 file');
  });

  it('without a shared group says so; a pattern on the path works as on the name', async () => {
    const byFolder = await inspectData(patients, { group: { pattern: '^(\\w+)/', from: 'path' } });
    // The split folder as the group: no group can be in two splits.
    expect(byFolder.groups!.shared).toEqual([]);
    expect(formatInspection(byFolder)).toContain('0 groups in more than one split\n');
    await expect(inspectData(patients, { group: { pattern: '(unclosed', from: 'name' } })).rejects.toThrow(/^--group: invalid regex "\(unclosed"/);
  });

  it('exp data inspect --group reports them as text and in --json; a bad regex is one line, exit 1', () => {
    const bin = path.join(REPO, 'bin', 'exp.js');
    const exp = (...args: string[]) => spawnSync(process.execPath, [bin, 'data', 'inspect', patients, '--out', path.join(root, 'group-plots'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const json = exp('--group', PATIENT, '--json');
    expect(json.status, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { groups: { shared: { group: string }[]; splits: { split: string; groups: number }[] } };
    expect(parsed.groups.shared.map((g) => g.group)).toEqual(['IM-0001', 'person2']);
    expect(parsed.groups.splits.find((s) => s.split === 'train')!.groups).toBe(5);
    const text = exp('--group', PATIENT);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('IN train AND val person2:');
    const bad = exp('--group', '(unclosed');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--group: invalid regex');
  }, 120_000);
});
