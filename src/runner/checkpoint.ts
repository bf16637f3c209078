/**
 * A run's checkpoints, kept as artifacts of the run in its tracking store (file store or MLflow
 * server), so `exp resume <run-id>` works from any folder and machine that reaches the store.
 *
 * Two slots, `checkpoints/slot-0` and `checkpoints/slot-1`, take turns (epoch parity): while one is
 * being written the other still holds the epoch before, whole. Each slot is `checkpoint.bin` and a
 * `manifest.json` with its size and sha256, written last: a slot whose file does not match its
 * manifest (truncated, emptied, overwritten) is damaged and ignored, never trusted.
 */
import { createHash } from 'node:crypto';
import type { TrackingStore } from '../tracking/index.js';
import type { Checkpoint } from '../train/loop.js';

/** The artifact folder of a run's checkpoints; removed when the run finishes. */
export const CHECKPOINT_DIR = 'checkpoints';
const SLOTS = ['slot-0', 'slot-1'] as const;
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
    ...(state.best ? { best: { epoch: state.best.epoch, weights: give(state.best.weights) } } : {}),
    ...(state.stopped ? { stopped: state.stopped } : {}),
    trainSeconds: state.trainSeconds,
  };
}

const slotOf = (epoch: number): string => `${CHECKPOINT_DIR}/${SLOTS[epoch % 2]}`;

/**
 * Keeps the checkpoint in the run's artifacts. The slot's old manifest goes first, so a write
 * cut short leaves a slot without one (incomplete, skipped quietly), not one that looks damaged.
 */
export async function saveCheckpoint(store: TrackingStore, runId: string, checkpoint: Checkpoint): Promise<void> {
  const bytes = encodeCheckpoint(checkpoint);
  const slot = slotOf(checkpoint.epoch);
  const manifest: Manifest = { format: FORMAT, epoch: checkpoint.epoch, files: { [DATA]: { size: bytes.length, sha256: sha256(bytes) } } };
  await store.deleteArtifacts(runId, `${slot}/${MANIFEST}`);
  await store.logArtifact(runId, `${slot}/${DATA}`, bytes);
  await store.logArtifact(runId, `${slot}/${MANIFEST}`, `${JSON.stringify(manifest, null, 2)}\n`);
}

function parseManifest(bytes: Uint8Array): Manifest {
  const m = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Manifest> | null;
  const file = m?.files?.[DATA];
  if (m?.format !== FORMAT || !Number.isInteger(m.epoch) || typeof file?.sha256 !== 'string' || !Number.isInteger(file.size)) {
    throw new Error(`not an ${FORMAT} manifest`);
  }
  return m as Manifest;
}

type Slot = { slot: string; checkpoint: Checkpoint } | { slot: string; damaged: string; epoch?: number };

/** One slot's checkpoint, or why it cannot be trusted; undefined when the slot holds none. Store errors (unreachable) propagate. */
async function readSlot(store: TrackingStore, runId: string, slot: string): Promise<Slot | undefined> {
  const files = new Set((await store.listArtifacts(runId, slot)).map((e) => e.path));
  if (!files.has(`${slot}/${MANIFEST}`)) return undefined;
  const manifestBytes = await store.readArtifact(runId, `${slot}/${MANIFEST}`);
  let manifest: Manifest;
  try {
    manifest = parseManifest(manifestBytes);
  } catch (e) {
    return { slot, damaged: `unreadable ${MANIFEST} (${e instanceof Error ? e.message : String(e)})` };
  }
  const expected = manifest.files[DATA];
  if (!files.has(`${slot}/${DATA}`)) return { slot, epoch: manifest.epoch, damaged: `${DATA} is missing` };
  const bytes = await store.readArtifact(runId, `${slot}/${DATA}`);
  if (bytes.length !== expected.size) return { slot, epoch: manifest.epoch, damaged: `${DATA} has ${bytes.length} bytes, its manifest says ${expected.size}` };
  if (sha256(bytes) !== expected.sha256) return { slot, epoch: manifest.epoch, damaged: `${DATA} does not match its sha256` };
  try {
    const checkpoint = decodeCheckpoint(bytes);
    if (checkpoint.epoch !== manifest.epoch) throw new Error(`it holds epoch ${checkpoint.epoch}, its manifest says ${manifest.epoch}`);
    return { slot, checkpoint };
  } catch (e) {
    return { slot, epoch: manifest.epoch, damaged: `${DATA} cannot be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * The run's latest whole checkpoint. A damaged one is named through `warn` and passed over for
 * the one before it; undefined when there is none left.
 */
export async function loadCheckpoint(store: TrackingStore, runId: string, warn: (message: string) => void): Promise<Checkpoint | undefined> {
  const slots: Slot[] = [];
  for (const slot of SLOTS) {
    const read = await readSlot(store, runId, `${CHECKPOINT_DIR}/${slot}`);
    if (read) slots.push(read);
  }
  for (const s of slots) {
    if ('damaged' in s) warn(`checkpoint ${s.slot}${s.epoch !== undefined ? ` (epoch ${s.epoch})` : ''} of run ${runId} is damaged, ignored: ${s.damaged}`);
  }
  const good = slots.flatMap((s) => ('checkpoint' in s ? [s.checkpoint] : []));
  return good.sort((a, b) => b.epoch - a.epoch)[0];
}

/** A finished run needs no checkpoints (its model is in `model/`): MLflow users do not want them kept. */
export const removeCheckpoints = (store: TrackingStore, runId: string): Promise<void> => store.deleteArtifacts(runId, CHECKPOINT_DIR);
