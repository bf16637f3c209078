import type { TrackingError } from '../tracking/index.js';

/** `--tracking-uri`, shared by the commands that read or write runs. */
export const trackingUriOption = {
  type: 'string',
  describe: 'MLflow server (http://...) or folder; default $MLFLOW_TRACKING_URI, else ./runs',
} as const;

/** What a user is told when a run goes on offline: why, where it is kept, and how it reaches the server later. */
export function offlineNotice(uri: string): (reason: TrackingError, localRoot: string) => void {
  return (reason, localRoot) =>
    process.stderr.write(`exp: ${reason.message}\nexp: logging locally into ${localRoot} from here on; push it to the server later with \`exp sync --tracking-uri ${uri}\`\n`);
}
