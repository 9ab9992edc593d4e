import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unknownRoutes } from './doc-routes';

export interface Violation {
  rule: string;
  file: string;
  line?: number;
  message: string;
}

export interface Repository {
  root: string;
  files: readonly string[];
}

export interface Rule {
  name: string;
  description: string;
  check(repo: Repository): Violation[];
}

const read = (repo: Repository, file: string) => {
  const path = join(repo.root, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
};

function eachLine(text: string, fn: (line: string, n: number) => void): void {
  text.split('\n').forEach((line, i) => fn(line, i + 1));
}

const SOURCE = /\.(ts|js|mjs|cjs|mts|cts)$/;
// Tests may run fake servers (e.g. an LLM provider's wire format); tools are not shipped.
const EXEMPT_FROM_HTTP = /^(apps\/server\/|tools\/)|(^|\/)(test|tests|__tests__)\/|\.(spec|test)\.[cm]?[jt]s$/;
const HTTP_IMPORT = /(?:from\s+|require\(\s*|import\(\s*)['"](express|node:http2?|node:https|https?|http2)['"]/;
const LISTEN = /\.listen\(/;

export const httpOnlyInServer: Rule = {
  name: 'http-only-in-server',
  description: 'Only apps/server imports express or node:http(s) or calls .listen( (SPEC §2)',
  check(repo) {
    const out: Violation[] = [];
    for (const file of repo.files) {
      if (!SOURCE.test(file) || EXEMPT_FROM_HTTP.test(file)) continue;
      eachLine(read(repo, file), (line, n) => {
        const imported = HTTP_IMPORT.exec(line);
        if (imported) out.push({ rule: this.name, file, line: n, message: `imports "${imported[1]}"; only apps/server may serve HTTP` });
        else if (LISTEN.test(line)) out.push({ rule: this.name, file, line: n, message: 'calls .listen(; only apps/server may open a port' });
      });
    }
    return out;
  },
};

const STRAY = /\.(bak|backup|broken|orig)$|~$/;

export const noStrayFiles: Rule = {
  name: 'no-stray-files',
  description: 'No tracked *.bak, *.backup, *.broken, *.orig or *~ files',
  check(repo) {
    return repo.files
      .filter((f) => STRAY.test(f))
      .map((file) => ({ rule: this.name, file, message: 'stray backup file; delete it (git keeps history)' }));
  },
};

const isDoc = (file: string) => /\.md$/i.test(file) && !file.startsWith('node_modules/') && !/(^|\/)test\/corpus\//.test(file);

/** The one way the docs may tell people to start the server. */
export const CANONICAL_START = ['npm start', 'node apps/server/dist/main.js'];

// Commands that start a server: the predecessor's, and plausible wrong ones for this repository.
const START_COMMAND =
  /\b(uvicorn\s+\S+|gunicorn\s+\S+|flask\s+run|python3?\s+-m\s+\S+|(?:ts-)?node\s+(?:--\S+\s+)*(?!apps\/executor\/)\S*(?:server\S*|\bmain\.[cm]?[jt]s)|npx\s+(?:tsx|ts-node)\s+\S+|nx\s+(?:serve\s+\S+|run\s+\S+:(?:serve|start|dev)\b)|npm\s+run\s+(?:dev|serve|server|start:\S+))/g;

/** A rule that reads every line of every doc and reports what `find` finds on it. */
function docLineRule(name: string, description: string, find: (line: string) => string[]): Rule {
  return {
    name,
    description,
    check(repo) {
      const out: Violation[] = [];
      for (const file of repo.files.filter(isDoc)) {
        eachLine(read(repo, file), (line, n) => {
          for (const message of find(line)) out.push({ rule: name, file, line: n, message });
        });
      }
      return out;
    },
  };
}

export const oneStartCommand = docLineRule(
  'one-start-command',
  `Docs name only the canonical server start: ${CANONICAL_START.map((c) => `\`${c}\``).join(' or ')}`,
  (line) =>
    [...line.matchAll(START_COMMAND)]
      .map((match) => match[0])
      .filter((command) => !command.startsWith('node apps/server/dist/main.js'))
      .map((command) => `names the start command "${command}"; the canonical one is ${CANONICAL_START.map((c) => `"${c}"`).join(' or ')}`),
);

const WORKSTATION_PATH = /\/home\/[A-Za-z0-9._-]+\/|\/Users\/[A-Za-z0-9._-]+|\b[A-Za-z]:\\/;

export const noWorkstationPaths = docLineRule(
  'no-workstation-paths',
  "Docs contain no paths of somebody's machine (/home/<name>/, /Users/, C:\\)",
  (line) => {
    const match = WORKSTATION_PATH.exec(line);
    return match ? [`workstation path "${match[0]}"; use a path relative to the repository`] : [];
  },
);

export const docsNameRealRoutes = docLineRule(
  'docs-name-real-routes',
  'Every "METHOD /path" in the docs is a route the server serves (the contracts route table)',
  (line) => unknownRoutes(line).map((mention) => `names "${mention}", which the server does not serve; see GET /openapi.json for the routes`),
);

export const RULES: readonly Rule[] = [httpOnlyInServer, noStrayFiles, oneStartCommand, noWorkstationPaths, docsNameRealRoutes];
