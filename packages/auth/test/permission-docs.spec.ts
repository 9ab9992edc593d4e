import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { routes } from '@autopack/contracts';
import { renderPermissionTable, ROUTE_ACCESS } from '../src';

const DOC = join(__dirname, '../../../docs/security.md');
const START = '<!-- permission-table:start -->';
const END = '<!-- permission-table:end -->';

describe('the permission table', () => {
  it('has an entry for every route, and public exactly where the contract says so', () => {
    expect(Object.keys(ROUTE_ACCESS).sort()).toEqual(Object.keys(routes).sort());
    for (const [id, spec] of Object.entries(routes)) {
      expect({ id, public: ROUTE_ACCESS[id as keyof typeof routes] === 'public' }).toEqual({ id, public: 'public' in spec && spec.public === true });
    }
  });

  it('is what docs/security.md shows (UPDATE_DOCS=1 rewrites it)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(START) + START.length;
    const end = doc.indexOf(END);
    const table = `\n${renderPermissionTable(routes)}\n`;
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(DOC, doc.slice(0, start) + table + doc.slice(end));
    expect(readFileSync(DOC, 'utf8').slice(start, readFileSync(DOC, 'utf8').indexOf(END))).toBe(table);
  });
});
