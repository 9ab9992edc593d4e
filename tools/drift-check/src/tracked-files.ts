import { execFileSync } from 'node:child_process';

/** Files git tracks (or would track: new, not ignored), relative to `root`, with forward slashes. */
export function trackedFiles(root: string): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(out.split('\0').filter(Boolean))].sort();
}
