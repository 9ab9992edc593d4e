import { execFile } from 'node:child_process';

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

// Hooks, prompts and the machine's git config must not change what the executor does.
const SAFE_CONFIG = ['-c', 'core.hooksPath=/dev/null', '-c', 'user.name=Autopack', '-c', 'user.email=autopack@localhost', '-c', 'commit.gpgsign=false', '-c', 'core.autocrlf=false'];

/** Runs git with an argv array (no shell) and returns stdout. */
export function git(args: readonly string[], cwd: string, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...SAFE_CONFIG, ...args],
      {
        cwd,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
      },
      (err, stdout, stderr) => (err ? reject(new GitError(args, String(stderr || err.message))) : resolve(String(stdout))),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}
