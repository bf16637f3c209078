/**
 * A run's checkpoints, kept as artifacts of the run in its tracking store (file store or MLflow
 * server), so `exp resume <run-id>` works from any folder and machine that reaches the store.
 *
 * Each epoch's checkpoint is a folder `checkpoints/epoch-<n>` of `checkpoint.bin` and a
 * `manifest.json` with its size and sha256, written last; the last two epochs are kept, so while
 * one is written the one before stays whole. A folder without a manifest is a write cut short
 * (skipped quietly); one whose file does not match its manifest (truncated, emptied, overwritten)
 * is damaged and passed over, never trusted. Only whole folders are deleted, never single files:
 * MLflow's local artifact repository deletes through `rmtree`, which refuses a file.
 */
import { createHash } from 'node:crypto';
import type { TrackingStore } from '../tracking/index.js';
import type { Checkpoint } from '../train/loop.js';

/** The artifact folder of a run's checkpoints; removed when the run finishes. */
export const CHECKPOINT_DIR = 'checkpoints';
const DATA = 'checkpoint.bin';
const MANIFEST = 'manifest.json';
const FORMAT = 'exp-checkpoint/1';

interface Manifest {
  format: typeof FORMAT;
  epoch: number;
  files: Record<typeof DATA, { size: number; sha256: string }>;
}

type Arrays = { offset: number; lengths: number[] };

type Header = Omit<Checkpoint, 'weights' | 'engine' | 'best' | 'stopped'> & {
  weights: Arrays;
  engine: Omit<Checkpoint['engine'], 'optimizer'> & { optimizer: { scalars: number[]; arrays: Arrays } };
  best: { epoch: number; weights: Arrays } | null;
  stopped: string | null;
};

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** One file: a 4-byte header length, the JSON header, then every float array one after another. */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const arrays: Float32Array[] = [];
  const take = (list: Float32Array[]): Arrays => {
    const offset = arrays.length;
    arrays.push(...list);
    return { offset, lengths: list.map((a) => a.length) };
  };
  const state: Header = {
    epoch: checkpoint.epoch,
    history: checkpoint.history,
    weights: take(checkpoint.weights),
    engine: { ...checkpoint.engine, optimizer: { scalars: checkpoint.engine.optimizer.scalars, arrays: take(checkpoint.engine.optimizer.arrays) } },
    random: checkpoint.random,
    callbacks: checkpoint.callbacks,
    ...(checkpoint.lrScale !== undefined ? { lrScale: checkpoint.lrScale } : {}),
    best: checkpoint.best ? { epoch: checkpoint.best.epoch, weights: take(checkpoint.best.weights) } : null,
    stopped: checkpoint.stopped ?? null,
    trainSeconds: checkpoint.trainSeconds,
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
  return bytes;
}

/** The checkpoint in `bytes`; throws (with why) when they are not one. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (raw.length < 4) throw new Error(`${raw.length} bytes, too short for a checkpoint`);
  const headerLength = raw.readUInt32LE(0);
  if (4 + headerLength > raw.length) throw new Error(`its header claims ${headerLength} bytes of ${raw.length}`);
  const state = JSON.parse(raw.subarray(4, 4 + headerLength).toString('utf8')) as Header;
  const lengths = [state.weights, state.engine.optimizer.arrays, ...(state.best ? [state.best.weights] : [])].flatMap((a) => a.lengths);
  let at = 4 + headerLength + ((4 - (headerLength % 4)) % 4);
  if (at + lengths.reduce((n, l) => n + l * 4, 0) !== raw.length) throw new Error('its arrays do not fill the file');
  const all: Float32Array[] = [];
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
    ...(state.lrScale !== undefined ? { lrScale: state.lrScale } : {}),
    ...(state.best ? { best: { epoch: state.best.epoch, weights: give(state.best.weights) } } : {}),
    ...(state.stopped ? { stopped: state.stopped } : {}),
    trainSeconds: state.trainSeconds,
  };
}

const folderOf = (epoch: number): string => `${CHECKPOINT_DIR}/epoch-${epoch}`;

/** Keeps the checkpoint in the run's artifacts, then drops the one of two epochs before. */
export async function saveCheckpoint(store: TrackingStore, runId: string, checkpoint: Checkpoint): Promise<void> {
  const bytes = encodeCheckpoint(checkpoint);
  const folder = folderOf(checkpoint.epoch);
  const manifest: Manifest = { format: FORMAT, epoch: checkpoint.epoch, files: { [DATA]: { size: bytes.length, sha256: sha256(bytes) } } };
  await store.logArtifact(runId, `${folder}/${DATA}`, bytes);
  await store.logArtifact(runId, `${folder}/${MANIFEST}`, `${JSON.stringify(manifest, null, 2)}\n`);
  if (checkpoint.epoch > 2) await store.deleteArtifacts(runId, folderOf(checkpoint.epoch - 2));
}

function parseManifest(bytes: Uint8Array): Manifest {
  const m = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Manifest> | null;
  const file = m?.files?.[DATA];
  if (m?.format !== FORMAT || !Number.isInteger(m.epoch) || typeof file?.sha256 !== 'string' || !Number.isInteger(file.size)) {
    throw new Error(`not an ${FORMAT} manifest`);
  }
  return m as Manifest;
}

type Folder = { checkpoint: Checkpoint } | { damaged: string };

/** One folder's checkpoint, or why it cannot be trusted; undefined when its write was cut short. Store errors (unreachable) propagate. */
async function readFolder(store: TrackingStore, runId: string, folder: string): Promise<Folder | undefined> {
  const files = new Set((await store.listArtifacts(runId, folder)).map((e) => e.path));
  if (!files.has(`${folder}/${MANIFEST}`)) return undefined;
  const manifestBytes = await store.readArtifact(runId, `${folder}/${MANIFEST}`);
  let manifest: Manifest;
  try {
    manifest = parseManifest(manifestBytes);
  } catch (e) {
    return { damaged: `unreadable ${MANIFEST} (${e instanceof Error ? e.message : String(e)})` };
  }
  const expected = manifest.files[DATA];
  if (!files.has(`${folder}/${DATA}`)) return { damaged: `${DATA} is missing` };
  const bytes = await store.readArtifact(runId, `${folder}/${DATA}`);
  if (bytes.length !== expected.size) return { damaged: `${DATA} has ${bytes.length} bytes, its manifest says ${expected.size}` };
  if (sha256(bytes) !== expected.sha256) return { damaged: `${DATA} does not match its sha256` };
  try {
    const checkpoint = decodeCheckpoint(bytes);
    if (checkpoint.epoch !== manifest.epoch) throw new Error(`it holds epoch ${checkpoint.epoch}, its manifest says ${manifest.epoch}`);
    return { checkpoint };
  } catch (e) {
    return { damaged: `${DATA} cannot be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * The run's latest whole checkpoint. A damaged one is named through `warn` and passed over for
 * the one before it; undefined when there is none left.
 */
export async function loadCheckpoint(store: TrackingStore, runId: string, warn: (message: string) => void): Promise<Checkpoint | undefined> {
  const epochs = (await store.listArtifacts(runId, CHECKPOINT_DIR))
    .flatMap((e) => {
      const n = /^epoch-(\d+)$/.exec(e.path.slice(CHECKPOINT_DIR.length + 1));
      return e.isDir && n ? [Number(n[1])] : [];
    })
    .sort((a, b) => b - a);
  for (const epoch of epochs) {
    const read = await readFolder(store, runId, folderOf(epoch));
    if (read && 'checkpoint' in read) return read.checkpoint;
    if (read) warn(`checkpoint of epoch ${epoch} of run ${runId} is damaged, ignored: ${read.damaged}`);
  }
  return undefined;
}

/** A finished run needs no checkpoints (its model is in `model/`): MLflow users do not want them kept. */
export const removeCheckpoints = (store: TrackingStore, runId: string): Promise<void> => store.deleteArtifacts(runId, CHECKPOINT_DIR);
