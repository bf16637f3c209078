import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { CommandBody } from '../commands.js';
import { DEFAULT_OFFLINE_DIR, FileStore, openStore, otherServersRuns, resolveTrackingUri, syncAll } from '../../tracking/index.js';
import { printable } from '../../text/escape.js';
import { reportError } from '../../core/report-error.js';
import { UserError } from '../../core/errors.js';
import { trackingUriOption } from '../tracking-option.js';

interface Args {
  trackingUri?: string;
  offlineDir: string;
}

/** Pushes runs kept locally while the server was unreachable (`exp run` fell back to them). */
export const syncCommand: CommandBody<Args> = {
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
        onRun: (r) => {
          process.stdout.write(
            `${r.localRunId} -> ${r.remoteRunId}: ${r.metrics} metric points, ${r.params} params, ${r.tags} tags, ${r.artifacts} artifacts${r.complete ? '' : ' (still running: sync again when it ends)'}\n`,
          );
          // Only regular files are uploaded: a link could point anywhere (/etc/passwd).
          if (r.skipped.length) process.stdout.write(`  not uploaded (not a regular file): ${r.skipped.map((p) => printable(p)).join(', ')}\n`);
        },
      });
      const elsewhere = await otherServersRuns(local, remote.uri);
      const rest = elsewhere.length ? `${elsewhere.length} run${elsewhere.length === 1 ? '' : 's'} in ${args.offlineDir} belong${elsewhere.length === 1 ? 's' : ''} to another server and ${elsewhere.length === 1 ? 'was' : 'were'} not synced: ${elsewhere.map((r) => `${r.runId} (${printable(r.remoteUri)})`).join(', ')}` : '';
      if (results.length) process.stdout.write(`synced ${results.length} run${results.length === 1 ? '' : 's'} to ${remote.uri}\n${rest ? `${rest}\n` : ''}`);
      else process.stdout.write(rest ? `nothing synced to ${remote.uri}: ${rest}\n` : `nothing to sync: every run in ${args.offlineDir} was synced to ${remote.uri} earlier\n`);
    } catch (e) {
      process.exitCode = reportError(e);
    }
  },
};
