import { MODEL_SPEC_ARTIFACT } from '../../src/runner/record.js';
import { TrackingError, type FileStore } from '../../src/tracking/index.js';

/** The run's store without its model/spec.json, as a run logged before exp wrote one. */
export function withoutSpec(store: FileStore): FileStore {
  const hidden = Object.create(store) as FileStore;
  hidden.readArtifact = (runId, file) => (file === MODEL_SPEC_ARTIFACT ? Promise.reject(new TrackingError('RESOURCE_DOES_NOT_EXIST', `no ${file}`, 404)) : store.readArtifact(runId, file));
  return hidden;
}
