import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '../../..');
export const SERVER_MAIN = join(REPO_ROOT, 'apps/server/dist/main.js');
export const EXECUTOR_MAIN = join(REPO_ROOT, 'apps/executor/dist/main.js');

export interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A node process of ours, its output collected (and echoed when `echo` is set). */
export function runNode(main: string, args: string[], env: NodeJS.ProcessEnv, echo?: (line: string) => void): Child {
  const proc = spawn(process.execPath, [main, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    out += text;
    if (echo) for (const line of text.split('\n').filter(Boolean)) echo(line);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** PATH and HOME plus `extra`; with `inherit`, the whole environment of this process plus `extra`. */
export function baseEnv(extra: Record<string, string | undefined>, inherit = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = inherit ? { ...process.env } : { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Starts the server and resolves with its URL once it listens. */
export async function startServer(
  env: Record<string, string | undefined>,
  echo?: (line: string) => void,
  inherit = false,
): Promise<Child & { url: string }> {
  const child = runNode(SERVER_MAIN, [], baseEnv({ AUTOPACK_PORT: '0', ...env }, inherit), echo);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.proc.kill('SIGKILL');
      reject(new Error(`the server did not start:\n${child.output()}`));
    }, 60_000);
    child.proc.stdout!.on('data', () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(child.output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${child.output()}`));
    });
  });
  return { ...child, url };
}

/** `node apps/server/dist/main.js keys create …` (before the server starts: PGlite is one process). */
export async function createKey(env: Record<string, string | undefined>, role: string, name: string, inherit = false): Promise<string> {
  const child = runNode(SERVER_MAIN, ['keys', 'create', '--role', role, '--name', name], baseEnv(env, inherit));
  const code = await child.exited;
  const key = /apk_\S+/.exec(child.output())?.[0];
  if (code !== 0 || !key) throw new Error(`could not create the ${role} key:\n${child.output()}`);
  return key;
}

export function startExecutor(env: Record<string, string | undefined>, args: string[] = [], echo?: (line: string) => void, inherit = false): Child {
  return runNode(EXECUTOR_MAIN, args, baseEnv(env, inherit), echo);
}
