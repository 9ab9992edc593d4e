import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const MAIN = join(__dirname, '../../dist/main.js');

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs the built server (`node dist/main.js`) with a clean environment plus `env`. */
export function runServer(env: Record<string, string>, args: string[] = []): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env['PATH'] ?? '', AUTOPACK_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

/** Starts the server and waits for its "listening" line. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const started = runServer(env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${started.output()}`)), 30_000);
    const check = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(started.output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    started.proc.stdout!.on('data', check);
    void started.exited.then((code) => reject(new Error(`server exited with ${code}:\n${started.output()}`)));
  });
  return { ...started, url };
}
