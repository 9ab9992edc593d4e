import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { trackedFiles } from '../src';

export const REPO_ROOT = join(__dirname, '../../..');

/** A copy of the repository's tracked files in a temp dir, as its own git work tree; `plant` appends. */
export function copyRepository(): { root: string; plant: (file: string, text: string) => void; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'autopack-drift-'));
  for (const file of trackedFiles(REPO_ROOT)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    try {
      copyFileSync(join(REPO_ROOT, file), join(root, file));
    } catch {
      // listed but deleted in the work tree
    }
  }
  linkNodeModules(root);
  execFileSync('git', ['init', '-q'], { cwd: root });
  return {
    root,
    plant: (file, text) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      appendFileSync(join(root, file), text);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * The copy shares the installed packages, but its own workspace packages (@autopack/*) must
 * resolve to the copy, not to the original, or Nx sees them as outside the workspace.
 */
function linkNodeModules(root: string): void {
  const source = join(REPO_ROOT, 'node_modules');
  const target = join(root, 'node_modules');
  mkdirSync(join(target, '@autopack'), { recursive: true });
  for (const entry of readdirSync(source)) {
    if (entry !== '@autopack') symlinkSync(join(source, entry), join(target, entry));
  }
  for (const pkg of readdirSync(join(source, '@autopack'))) {
    const original = resolve(join(source, '@autopack'), readlinkSync(join(source, '@autopack', pkg)));
    symlinkSync(join(root, relative(REPO_ROOT, original)), join(target, '@autopack', pkg), 'dir');
  }
}
