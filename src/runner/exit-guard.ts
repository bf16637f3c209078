import { reportError } from '../core/report-error.js';
import { cancelRequests } from '../tracking/http-client.js';
import { closeAll, openClosables, type Ending } from './open-runs.js';

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
/** The shell's code for a writer whose reader went away (128 + SIGPIPE). */
const PIPE_CLOSED = 141;

/**
 * Every way out of an exp process closes what it has open first (runs as KILLED or FAILED,
 * worker processes), then exits with the shell's code for it:
 * - SIGINT, SIGTERM, SIGHUP (the terminal closed): KILLED, 128 + the signal's number;
 *   a second signal exits at once;
 * - stdout or stderr closed by its reader (`exp run ... | head`): KILLED, 141; with nothing
 *   open (`exp rank | head`) that is the reader's choice, exit 0;
 * - an uncaught exception or unhandled rejection: reported as a bug in exp, FAILED, 1;
 * - a worker whose parent exp is gone (the IPC channel closed): KILLED.
 * Installed by the entry points only (bin, worker), never by code used as a library.
 */
export function installExitGuard(): void {
  let exiting = false;
  const leave = (ending: Ending, code: number, say?: string): void => {
    if (exiting) return;
    exiting = true;
    const open = openClosables();
    if (say && open.length) open[0]!.say(`\n${say}: closing ${open.length === 1 ? open[0]!.label : `${open.length} runs and workers`} as ${ending.status} (again to exit at once)`);
    // Requests still waiting on a slow server (or between retries) stop now; closing sends its own.
    cancelRequests();
    void closeAll(ending).finally(() => process.exit(code));
  };
  for (const [signal, n] of Object.entries(SIGNALS) as [keyof typeof SIGNALS, number][]) {
    process.on(signal, () => {
      if (exiting) process.exit(128 + n);
      leave({ status: 'KILLED', reason: signal, signal }, 128 + n, `${signal}${signal === 'SIGHUP' ? ' (the terminal closed)' : ''}`);
    });
  }
  // Kept on after the first error: writes made while closing fail the same way and are ignored.
  for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      const open = openClosables().length > 0;
      leave({ status: 'KILLED', reason: `${name} closed (${e.code ?? e.message})` }, open ? PIPE_CLOSED : 0);
    });
  }
  const crash = (error: unknown) => {
    if (exiting) return;
    reportError(error);
    leave({ status: 'FAILED', error }, 1);
  };
  // A capture callback, not an 'uncaughtException' listener: tfjs-backend-wasm (emscripten)
  // adds a listener that rethrows, which would end the process (exit 7) before the run is closed.
  process.setUncaughtExceptionCaptureCallback(crash);
  process.on('unhandledRejection', crash);
  process.on('disconnect', () => {
    // A worker that disconnects itself at the end has nothing open any more.
    if (openClosables().length) leave({ status: 'KILLED', reason: 'the parent exp process exited' }, 1);
  });
}
