import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectImages } from '../../src/predict/collect.js';
import { tempDir, writeImage } from '../data/fixtures.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
  await writeImage(join(dir.path, 'store', 'x.png'), 1);
  await writeImage(join(dir.path, 'store', 'sub', 'y.png'), 2);
  await mkdir(join(dir.path, 'in'));
});
afterEach(() => dir.cleanup());

describe('exp predict on folders with symbolic links', () => {
  it('follows links to images and to folders', async () => {
    await symlink(join(dir.path, 'store', 'x.png'), join(dir.path, 'in', 'a.png'));
    await symlink(join(dir.path, 'store', 'sub'), join(dir.path, 'in', 'b'));
    expect(await collectImages([join(dir.path, 'in')])).toEqual([join(dir.path, 'in', 'a.png'), join(dir.path, 'in', 'b', 'y.png')]);
  });

  it('names a link back up the tree and a dangling link instead of looping or crashing', async () => {
    await symlink(join(dir.path, 'in'), join(dir.path, 'in', 'again'));
    await expect(collectImages([join(dir.path, 'in')])).rejects.toThrow(`symbolic link loop at ${join(dir.path, 'in', 'again')}`);
    const other = join(dir.path, 'other');
    await mkdir(other);
    await symlink(join(dir.path, 'gone.png'), join(other, 'z.png'));
    await expect(collectImages([other])).rejects.toThrow(`dangling symbolic link ${join(other, 'z.png')}`);
  });
});
