import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * tmpfs when the machine has one (GA_TEST_TMPDIR overrides): these suites create and remove thousands
 * of small files, which on a disk mounted with `discard` costs seconds of system time per suite.
 */
function tempRoot(): string {
  if (process.env.GA_TEST_TMPDIR) return process.env.GA_TEST_TMPDIR;
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(tempRoot(), `ga-${prefix}-`));
}

/** A temp directory holding `repo/` with these entries; remove `work` when done. */
export function makeRepo(prefix: string, entries: Record<string, TreeEntry>): { work: string; repo: string } {
  const work = makeTempDir(prefix);
  const repo = path.join(work, 'repo');
  fs.mkdirSync(repo);
  writeTree(repo, entries);
  return { work, repo };
}

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** Runs git with an argument vector (never a shell string); returns stdout bytes. */
export function git(cwd: string, args: string[], input?: Buffer): Buffer {
  return execFileSync('git', ['-c', 'core.autocrlf=false', '-c', 'core.fileMode=true', '-c', 'core.quotePath=true', ...args], {
    cwd,
    env: GIT_ENV,
    input,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export type TreeEntry = string | Buffer | { content: string | Buffer; executable?: boolean } | { symlink: string } | { dir: true };

/** Writes files (and symlinks, empty directories) below `root`, creating parents. */
export function writeTree(root: string, entries: Record<string, TreeEntry>): void {
  for (const [rel, entry] of Object.entries(entries)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) fs.writeFileSync(abs, entry);
    else if ('symlink' in entry) fs.symlinkSync(entry.symlink, abs);
    else if ('dir' in entry) fs.mkdirSync(abs, { recursive: true });
    else {
      fs.writeFileSync(abs, entry.content);
      fs.chmodSync(abs, entry.executable ? 0o755 : 0o644);
    }
  }
}

export interface TreeOptions {
  /** Skip these top-level names (e.g. `.git` when git itself rewrites its index). */
  ignore?: string[];
  /** Record only the executable bit of files, as git does, instead of all permission bits. */
  gitModes?: boolean;
}

/**
 * Every entry below `root` with its kind, permissions and content hash (symlinks: their target),
 * directories included: equal listings mean byte-identical trees.
 */
export function listTree(root: string, options: TreeOptions = {}): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      if (rel === '' && options.ignore?.includes(name)) continue;
      const r = rel === '' ? name : `${rel}/${name}`;
      const abs = path.join(root, r);
      const st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(abs)}`);
      else if (st.isDirectory()) {
        out.push(`${r}/ ${options.gitModes ? '' : (st.mode & 0o7777).toString(8)}`);
        walk(r);
      } else {
        const mode = options.gitModes ? (st.mode & 0o100 ? 'x' : '-') : (st.mode & 0o7777).toString(8);
        out.push(`${r} ${mode} ${createHash('sha256').update(fs.readFileSync(abs)).digest('hex')}`);
      }
    }
  };
  walk('');
  return out;
}

export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
