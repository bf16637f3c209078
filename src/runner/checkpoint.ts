import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TrackingError } from '../tracking/errors.js';
import { isValidRunId } from '../tracking/ids.js';
import { safeJoin } from '../tracking/safe-join.js';
import type { Checkpoint } from '../train/loop.js';

/**
 * Where a run's last checkpoint lives: beside the runs, whatever the tracking store. The run id
 * may come from a server: safeJoin keeps `../x` from writing, or deleting, anything outside.
 */
export function checkpointDir(runId: string): string {
  if (!isValidRunId(runId)) throw new TrackingError('INVALID_PARAMETER_VALUE', `'${runId}' is not an MLflow run id: no checkpoint path is made from it`);
  return safeJoin(path.resolve('.exp', 'checkpoints'), runId);
}

type Arrays = { offset: number; lengths: number[] };

const FILE = 'checkpoint.bin';

/**
 * Writes the checkpoint as one file: a 4-byte header length, the JSON header, then every float
 * array one after another; through a temp file and a rename, so a crash leaves the last whole one.
 */
export async function writeCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void> {
  const dir = checkpointDir(runId);
  await mkdir(dir, { recursive: true });
  const arrays: Float32Array[] = [];
  const take = (list: Float32Array[]): Arrays => {
    const offset = arrays.length;
    arrays.push(...list);
    return { offset, lengths: list.map((a) => a.length) };
  };
  const state = {
    epoch: checkpoint.epoch,
    history: checkpoint.history,
    weights: take(checkpoint.weights),
    engine: { ...checkpoint.engine, optimizer: { scalars: checkpoint.engine.optimizer.scalars, arrays: take(checkpoint.engine.optimizer.arrays) } },
    random: checkpoint.random,
    callbacks: checkpoint.callbacks,
    best: checkpoint.best ? { epoch: checkpoint.best.epoch, weights: take(checkpoint.best.weights) } : null,
    stopped: checkpoint.stopped ?? null,
  };
  const header = Buffer.from(JSON.stringify(state));
  // Floats start on a 4-byte boundary so they can be read back in place.
  const start = 4 + header.length + ((4 - (header.length % 4)) % 4);
  const bytes = new Uint8Array(start + arrays.reduce((n, a) => n + a.byteLength, 0));
  new DataView(bytes.buffer).setUint32(0, header.length, true);
  bytes.set(header, 4);
  let at = start;
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  const tmp = path.join(dir, `${FILE}.${process.pid}.tmp`);
  await writeFile(tmp, bytes);
  await rename(tmp, path.join(dir, FILE));
}

/** The run's last checkpoint, if it has one. */
export async function readCheckpoint(runId: string): Promise<Checkpoint | undefined> {
  const file = path.join(checkpointDir(runId), FILE);
  if (!existsSync(file)) return undefined;
  const raw = await readFile(file);
  const headerLength = raw.readUInt32LE(0);
  const state = JSON.parse(raw.subarray(4, 4 + headerLength).toString('utf8')) as Omit<Checkpoint, 'weights' | 'engine' | 'best' | 'stopped'> & {
    weights: Arrays;
    engine: Omit<Checkpoint['engine'], 'optimizer'> & { optimizer: { scalars: number[]; arrays: Arrays } };
    best: { epoch: number; weights: Arrays } | null;
    stopped: string | null;
  };
  const all: Float32Array[] = [];
  let at = 4 + headerLength + ((4 - (headerLength % 4)) % 4);
  const lengths = [state.weights, state.engine.optimizer.arrays, ...(state.best ? [state.best.weights] : [])].flatMap((a) => a.lengths);
  for (const n of lengths) {
    all.push(new Float32Array(raw.buffer.slice(raw.byteOffset + at, raw.byteOffset + at + n * 4)));
    at += n * 4;
  }
  const give = (a: Arrays) => all.slice(a.offset, a.offset + a.lengths.length);
  return {
    epoch: state.epoch,
    history: state.history,
    weights: give(state.weights),
    engine: { ...state.engine, optimizer: { scalars: state.engine.optimizer.scalars, arrays: give(state.engine.optimizer.arrays) } },
    random: state.random,
    callbacks: state.callbacks,
    ...(state.best ? { best: { epoch: state.best.epoch, weights: give(state.best.weights) } } : {}),
    ...(state.stopped ? { stopped: state.stopped } : {}),
  };
}

export const removeCheckpoint = (runId: string): Promise<void> => rm(checkpointDir(runId), { recursive: true, force: true });
