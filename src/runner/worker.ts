import { runOrSkip } from './run-all.js';
import { overridesFrom } from '../config/overrides.js';
import { Progress } from '../core/progress.js';
import { loadRuns } from '../config/expand.js';
import { offlineNotice, openStore, resolveTrackingUri } from '../tracking/index.js';
import type { ReviewAnswer, WorkerMessage, WorkerTask } from './workers.js';
import { installExitGuard } from './exit-guard.js';
import { runIdentity } from './identity.js';
import type { TrialReview } from './trial.js';

// Its run is closed on any way out, also when the parent exp is gone.
installExitGuard();

const send = (message: WorkerMessage) => process.send!(message);

/** Each epoch goes to the parent, which answers whether to go on (its scheduler's decision). */
const askParent: TrialReview = {
  review: (logs, epochs) =>
    new Promise((resolve) => {
      process.once('message', (answer: ReviewAnswer) => resolve(answer.stop));
      send({ kind: 'epoch', logs, epochs });
    }),
};

// A worker of `exp run --jobs N` or of `exp worker`: runs the one run it is sent, reports its outcome, exits.
process.once('message', async (message) => {
  const task = message as WorkerTask;
  let code = 0;
  try {
    const exp = loadRuns(task.files[task.fileIndex]!, overridesFrom(task.overrides)).runs[task.runIndex]!;
    if (task.identity !== undefined && (await runIdentity(exp)) !== task.identity) {
      throw new Error(`${task.files[task.fileIndex]} (run ${task.runIndex + 1}) resolves to another run here than where it was sent from: the experiment files, their data or the exp version differ on this machine`);
    }
    const store = openStore(task.trackingUri, { onOffline: offlineNotice(resolveTrackingUri(task.trackingUri)) });
    const outcome = await runOrSkip(exp, store, new Progress(process.stdout), task.rerun, task.parentRunId, task.reviewed ? askParent : undefined);
    send({ kind: 'outcome', outcome });
  } catch (e) {
    send({ kind: 'outcome', outcome: { name: `run ${task.runIndex + 1} of ${task.files[task.fileIndex]}`, status: 'failed', error: e instanceof Error ? e.message : String(e) } });
    code = 1;
  }
  process.disconnect();
  process.exitCode = code;
});
