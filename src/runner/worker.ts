import { runOrSkip } from './run-all.js';
import { overridesFrom } from '../cli/overrides-option.js';
import { Progress } from '../cli/progress.js';
import { loadRuns } from '../config/expand.js';
import { openStore, resolveTrackingUri } from '../tracking/index.js';
import type { WorkerTask } from './workers.js';
import { installExitGuard } from '../cli/exit-guard.js';
import { offlineNotice } from '../cli/tracking-option.js';

// Its run is closed on any way out, also when the parent exp is gone.
installExitGuard();

// A worker of `exp run --jobs N`: runs the one run it is sent, reports its outcome, exits.
process.once('message', async (message) => {
  const task = message as WorkerTask;
  let code = 0;
  try {
    const exp = loadRuns(task.files[task.fileIndex]!, overridesFrom(task.overrides)).runs[task.runIndex]!;
    const outcome = await runOrSkip(exp, openStore(task.trackingUri, { onOffline: offlineNotice(resolveTrackingUri(task.trackingUri)) }), new Progress(process.stdout), task.rerun, task.parentRunId);
    process.send!(outcome);
  } catch (e) {
    process.send!({ name: `run ${task.runIndex + 1} of ${task.files[task.fileIndex]}`, status: 'failed', error: e instanceof Error ? e.message : String(e) });
    code = 1;
  }
  process.disconnect();
  process.exitCode = code;
});
