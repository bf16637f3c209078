export * from './store.js';
export { TrackingError } from './errors.js';
export { FileStore } from './file-store.js';
export { RestStore } from './rest-store.js';
export type { HttpOptions, RetryOptions } from './http-client.js';
export { offlineNotice, ResilientStore, type ResilientStoreOptions } from './resilient-store.js';
export { openStore, resolveTrackingUri, DEFAULT_OFFLINE_DIR, DEFAULT_TRACKING_URI, type OpenStoreOptions } from './open-store.js';
export { syncAll, syncRun, pendingRuns, otherServersRuns, sameServer, SYNC_TAGS, type SyncResult } from './sync.js';
export { RUN_NAME_TAG, USER_TAG } from './run-defaults.js';
