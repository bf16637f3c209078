import { UserError } from '../cli/errors.js';
import type { ModelSignature } from '../runner/signature.js';
import { TrackingError, type Run, type TrackingStore } from '../tracking/index.js';
import { OnnxModel } from './session.js';
import { signatureProblems } from './signature.js';

export const MODEL_ARTIFACT = 'model/model.onnx';
export const SIGNATURE_ARTIFACT = 'model/signature.json';

export interface RunModel {
  run: Run;
  signature: ModelSignature;
  model: OnnxModel;
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

/**
 * The run's ONNX model with its signature, checked against each other: a run without a model
 * (failed, killed, still running) or with a signature exp cannot honour is a UserError.
 */
export async function loadRunModel(store: TrackingStore, runId: string): Promise<RunModel> {
  const run = await getRunOrFail(store, runId);
  const [onnx, signatureBytes] = await Promise.all([readArtifactIfAny(store, runId, MODEL_ARTIFACT), readArtifactIfAny(store, runId, SIGNATURE_ARTIFACT)]);
  const where = `run ${run.info.runName} (${runId}, ${run.info.status})`;
  if (!onnx || !signatureBytes) {
    const missing = [!onnx && MODEL_ARTIFACT, !signatureBytes && SIGNATURE_ARTIFACT].filter(Boolean).join(' and ');
    throw new UserError(`${where} has no saved model (${missing} missing)${run.info.status === 'FINISHED' ? '' : ': only finished runs save one'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(signatureBytes));
  } catch (e) {
    throw new UserError(`${where}: ${SIGNATURE_ARTIFACT} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const problems = signatureProblems(parsed);
  if (problems.length) throw new UserError(`${where}: incompatible model signature: ${problems.join('; ')}`);
  const signature = parsed as ModelSignature;
  let model: OnnxModel;
  try {
    model = await OnnxModel.load(onnx);
  } catch (e) {
    throw new UserError(`${where}: cannot load ${MODEL_ARTIFACT}: ${e instanceof Error ? e.message : String(e)}`);
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
  return { run, signature, model };
}
