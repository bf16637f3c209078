import { UserError } from '../core/errors.js';
import type { ModelSignature } from '../model/signature.js';
import { TrackingError, type Run, type TrackingStore } from '../tracking/index.js';
import { EnsembleModel } from './ensemble-model.js';
import { OnnxModel } from './session.js';
import { signatureProblems } from './signature.js';

export const MODEL_ARTIFACT = 'model/model.onnx';
export const SIGNATURE_ARTIFACT = 'model/signature.json';

export interface RunModel {
  run: Run;
  signature: ModelSignature;
  model: Predictor;
}

/** The run, or a UserError naming the store when it does not exist. */
export async function getRunOrFail(store: TrackingStore, runId: string): Promise<Run> {
  try {
    return await store.getRun(runId);
  } catch (e) {
    if (e instanceof TrackingError && (e.code === 'RESOURCE_DOES_NOT_EXIST' || e.httpStatus === 404)) {
      throw new UserError(`no run '${runId}' in ${store.uri} (see \`exp rank\` for run ids, or pass --tracking-uri)`);
    }
    throw e;
  }
}

/** An artifact's bytes, or undefined when the run did not log it. */
export async function readArtifactIfAny(store: TrackingStore, runId: string, path: string): Promise<Uint8Array | undefined> {
  try {
    return await store.readArtifact(runId, path);
  } catch (e) {
    if (e instanceof TrackingError && (e.code === 'RESOURCE_DOES_NOT_EXIST' || e.httpStatus === 404)) return undefined;
    throw e;
  }
}

/** A run's predictor: one ONNX model, or an ensemble of them. */
export type Predictor = Pick<OnnxModel, 'predict' | 'release'>;

/** Where an ensemble run keeps its averaging rule and members (src/ensemble). */
export const ENSEMBLE_ARTIFACT = 'model/ensemble.json';

/**
 * The run's ONNX model with its signature, checked against each other: a run without a model
 * (failed, killed, still running) or with a signature exp cannot honour is a UserError. An
 * `exp ensemble` run gives the mean of its members' models.
 */
export async function loadRunModel(store: TrackingStore, runId: string): Promise<RunModel> {
  const run = await getRunOrFail(store, runId);
  const where = `run ${run.info.runName} (${runId}, ${run.info.status})`;
  const manifest = await readArtifactIfAny(store, runId, ENSEMBLE_ARTIFACT);
  if (!manifest) return { run, ...(await loadModelFiles(store, runId, MODEL_ARTIFACT, SIGNATURE_ARTIFACT, where)) };
  const { members } = JSON.parse(new TextDecoder().decode(manifest)) as { members: { model: string; signature: string }[] };
  const loaded: { model: OnnxModel; signature: ModelSignature }[] = [];
  try {
    for (const m of members) loaded.push(await loadModelFiles(store, runId, m.model, m.signature, `${where}, member ${m.model}`));
    const own = await readArtifactIfAny(store, runId, SIGNATURE_ARTIFACT);
    const signature = parseSignature(own, `${where}: ${SIGNATURE_ARTIFACT}`);
    return { run, signature, model: new EnsembleModel(loaded) };
  } catch (e) {
    await Promise.all(loaded.map((m) => m.model.release()));
    throw e;
  }
}

function parseSignature(bytes: Uint8Array | undefined, where: string): ModelSignature {
  if (!bytes) throw new UserError(`${where} is missing`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new UserError(`${where} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const problems = signatureProblems(parsed);
  if (problems.length) throw new UserError(`${where}: incompatible model signature: ${problems.join('; ')}`);
  return parsed as ModelSignature;
}

/** One ONNX model and its signature from the run's artifacts, checked against each other. */
async function loadModelFiles(store: TrackingStore, runId: string, modelPath: string, signaturePath: string, where: string): Promise<{ signature: ModelSignature; model: OnnxModel }> {
  const run = await store.getRun(runId);
  const [onnx, signatureBytes] = await Promise.all([readArtifactIfAny(store, runId, modelPath), readArtifactIfAny(store, runId, signaturePath)]);
  if (!onnx || !signatureBytes) {
    const missing = [!onnx && modelPath, !signatureBytes && signaturePath].filter(Boolean).join(' and ');
    throw new UserError(`${where} has no saved model (${missing} missing)${run.info.status === 'FINISHED' ? '' : ': only finished runs save one'}`);
  }
  const signature = parseSignature(signatureBytes, `${where}: ${signaturePath}`);
  let model: OnnxModel;
  try {
    model = await OnnxModel.load(onnx);
  } catch (e) {
    throw new UserError(`${where}: cannot load ${modelPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const declared = model.inputShape;
  const mismatch = declared.length !== 3 || declared.some((d, i) => d !== null && d !== signature.input.shape[i]);
  const units = signature.output.units;
  if (mismatch || (model.outputUnits !== null && model.outputUnits !== units)) {
    await model.release();
    throw new UserError(
      `${where}: the model does not match its signature: model takes [${declared.map((d) => d ?? '?').join(', ')}] -> ${model.outputUnits ?? '?'} outputs, ` +
        `signature says [${signature.input.shape.join(', ')}] -> ${units}`,
    );
  }
  return { signature, model };
}
