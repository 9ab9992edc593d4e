import { spawn } from 'node:child_process';
import { childEnv } from './child-env';

export interface CommandOptions {
  cwd: string;
  timeoutMs: number;
  /** Output beyond this is dropped (the head and the tail are kept). */
  maxOutputBytes?: number;
  /** Default: this process's environment without the executor's credentials (childEnv). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface CommandResult {
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  output: string;
}

const DEFAULT_MAX_OUTPUT = 256 * 1024;

/**
 * Runs an argv array — never through a shell, so nothing in a plan is interpreted — in its own
 * process group, which is killed whole on timeout or abort (test runners spawn children).
 */
export function runCommand(argv: readonly string[], opts: CommandOptions): Promise<CommandResult> {
  const [program, ...args] = argv;
  if (!program) return Promise.resolve({ exitCode: null, timedOut: false, aborted: false, output: 'empty command' });
  const limit = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve) => {
    let head = '';
    let tail = '';
    let dropped = 0;
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (head.length < limit / 2) {
        head += text;
        return;
      }
      tail += text;
      if (tail.length > limit / 2) {
        dropped += tail.length - limit / 2;
        tail = tail.slice(tail.length - limit / 2);
      }
    };
    let timedOut = false;
    let aborted = false;
    const child = spawn(program, args, {
      cwd: opts.cwd,
      env: opts.env ?? childEnv(process.env),
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const finish = (exitCode: number | null, extra = '') => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const cut = dropped > 0 ? `\n… ${dropped} characters of output dropped …\n` : '';
      resolve({ exitCode, timedOut, aborted, output: head + cut + tail + extra });
    };
    child.on('error', (err) => finish(null, `cannot run ${program}: ${err.message}`));
    child.on('close', (code) => finish(code));
  });
}
