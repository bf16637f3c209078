import type { Progress } from '../core/progress.js';
import { keepOpen } from './open-runs.js';
import { HEARTBEAT_MS, OWNER_TAGS } from './owner.js';
import type { RunRecorder } from './record.js';
import { RunLock } from './run-lock.js';

/**
 * Holds a run while this process trains it: its lock, a heartbeat on the run every
 * HEARTBEAT_MS, and a place among what is closed (as KILLED or FAILED) on any way out, also
 * while the run is still being created. Returns the function that lets go of it.
 */
export function holdRun(starting: Promise<RunRecorder>, progress: Progress, claimed?: RunLock): () => void {
  let lock = claimed;
  let heartbeat: NodeJS.Timeout | undefined;
  let released = false;
  const letGo = () => {
    released = true;
    clearInterval(heartbeat);
    lock?.release();
    forget();
  };
  const forget = keepOpen({
    label: 'the run',
    say: (text) => progress.line(text),
    close: async (ending) => {
      letGo();
      const recorder = await starting;
      await (ending.status === 'KILLED' ? recorder.end('KILLED', ending.reason) : recorder.end('FAILED', ending.error));
    },
  });
  starting.then(
    (recorder) => {
      if (released) return;
      if (!lock) {
        try {
          const taken = RunLock.acquire(recorder.store, recorder.runId);
          // A new run's id is fresh: nobody else can hold its lock.
          if (taken instanceof RunLock) lock = taken;
        } catch {
          // No room for the lock file: the owner tags on the run still say who trains it.
        }
      }
      heartbeat = setInterval(() => {
        recorder.store.logBatch(recorder.runId, { tags: { [OWNER_TAGS.heartbeat]: String(Date.now()) } }).catch(() => {});
      }, HEARTBEAT_MS);
      heartbeat.unref();
    },
    () => letGo(),
  );
  return letGo;
}
