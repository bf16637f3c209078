import { existsSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_OFFLINE_DIR, FileStore, openStore, resolveTrackingUri, syncAll } from '../../tracking/index.js';
import { reportError, UserError } from '../errors.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  trackingUri?: string;
  offlineDir: string;
}

/** Pushes runs kept locally while the server was unreachable (`exp run` fell back to them). */
export const syncCommand: CommandModule<object, Args> = {
  command: 'sync',
  describe: `push runs logged offline (${DEFAULT_OFFLINE_DIR}) to the tracking server`,
  builder: (y: Argv) =>
    y
      .option('tracking-uri', { ...trackingUriOption, describe: 'the MLflow server (http://...) to push to; default $MLFLOW_TRACKING_URI' })
      .option('offline-dir', { type: 'string', default: DEFAULT_OFFLINE_DIR, describe: 'where the offline runs are' }) as unknown as Argv<Args>,
  handler: async (args) => {
    try {
      const uri = resolveTrackingUri(args.trackingUri);
      if (!/^https?:\/\//i.test(uri)) {
        throw new UserError(`exp sync pushes to an MLflow server: give --tracking-uri http://... or set MLFLOW_TRACKING_URI (got '${uri}')`);
      }
      if (!existsSync(args.offlineDir)) {
        process.stdout.write(`nothing to sync: no offline runs in ${args.offlineDir}\n`);
        return;
      }
      const local = new FileStore(args.offlineDir);
      const remote = openStore(uri, { offlineFallback: false });
      const results = await syncAll(local, remote, {
        onRun: (r) =>
          process.stdout.write(
            `${r.localRunId} -> ${r.remoteRunId}: ${r.metrics} metric points, ${r.params} params, ${r.tags} tags, ${r.artifacts} artifacts${r.complete ? '' : ' (still running: sync again when it ends)'}\n`,
          ),
      });
      process.stdout.write(results.length ? `synced ${results.length} run${results.length === 1 ? '' : 's'} to ${remote.uri}\n` : `nothing to sync: every run in ${args.offlineDir} is on ${remote.uri}\n`);
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
