import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';
import { IO } from '../engine/onnx/build.js';
import type { ModelSignature } from '../model/signature.js';

/** The artifact folder MLflow loads as `runs:/<id>/model`. */
export const MODEL_DIR = 'model';
const ONNX_FILE = 'model.onnx';

/**
 * The MLflow version whose MLmodel format this follows (mlflow/onnx/__init__.py save_model,
 * 2.15): a file written by a newer exp must still load in the MLflow the team runs.
 */
const MLFLOW_VERSION = '2.15.1';
/** The ONNX release whose opset (17) and IR version (8) model.onnx uses. */
const ONNX_VERSION = '1.12.0';
/** What `mlflow.pyfunc.load_model` needs installed to run it (requirements.txt). */
const REQUIREMENTS = [`mlflow>=${MLFLOW_VERSION}`, `onnx>=${ONNX_VERSION}`, 'onnxruntime'];

/** MLflow's tensor spec: a batch of any size (-1) of the input shape, float32 in, float32 out. */
function tensorSpec(name: string, shape: number[]): { type: 'tensor'; 'tensor-spec': { dtype: 'float32'; shape: number[] }; name: string } {
  return { type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, ...shape] }, name };
}

/**
 * The `model/` folder as an MLflow Model: the MLmodel file (onnx flavor, pyfunc flavor,
 * signature) and requirements.txt, beside model.onnx. Also the
 * `mlflow.log-model.history` tag by which MLflow's UI lists the run's logged models.
 */
export function mlflowModelFiles(runId: string, signature: ModelSignature, now = new Date()): { files: Record<string, string>; historyTag: string } {
  const mlflowSignature = {
    // MLflow stores each schema as a JSON string inside the YAML.
    inputs: JSON.stringify([tensorSpec(IO.x, signature.input.shape)]),
    outputs: JSON.stringify([tensorSpec(IO.predictions, [signature.output.units])]),
    params: null,
  };
  const flavors = {
    onnx: { code: null, data: ONNX_FILE, onnx_version: ONNX_VERSION, providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'] },
    // No `env`/python_version: no Python wrote this model, and a made-up version would mislead.
    python_function: { data: ONNX_FILE, loader_module: 'mlflow.onnx' },
  };
  // MLflow writes utc_time_created as '%Y-%m-%d %H:%M:%S.%f'.
  const utc = now.toISOString().replace('T', ' ').replace('Z', '000');
  const model = { artifact_path: MODEL_DIR, flavors, mlflow_version: MLFLOW_VERSION, model_uuid: randomUUID().replace(/-/g, ''), run_id: runId, signature: mlflowSignature, utc_time_created: utc };
  const history = [{ ...model, signature: { inputs: mlflowSignature.inputs, outputs: mlflowSignature.outputs } }];
  return {
    files: {
      MLmodel: stringify(model),
      'requirements.txt': `${REQUIREMENTS.join('\n')}\n`,
    },
    historyTag: JSON.stringify(history),
  };
}
