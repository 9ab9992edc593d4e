import { XMLParser } from 'fast-xml-parser';

export interface JunitResults {
  passed: string[];
  failed: string[];
  collectionErrors: string[];
}

interface TestCase {
  '@_classname'?: string;
  '@_name'?: string;
  '@_file'?: string;
  failure?: unknown;
  error?: { '@_message'?: string } | string | unknown[];
  skipped?: unknown;
}

interface Suite {
  '@_name'?: string;
  testcase?: TestCase[];
  testsuite?: Suite[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  isArray: (name) => name === 'testcase' || name === 'testsuite',
  processEntities: true,
});

function isCollectionError(tc: TestCase): boolean {
  const error = Array.isArray(tc.error) ? tc.error[0] : tc.error;
  const message = typeof error === 'object' && error !== null ? String((error as { '@_message'?: string })['@_message'] ?? '') : '';
  // pytest: <error message="collection failure">; jest-junit: a case named "Test suite failed to run".
  return /collection failure|error collecting/i.test(message) || /test suite failed to run/i.test(tc['@_name'] ?? '');
}

/**
 * Test outcomes from a JUnit XML report, as written by jest-junit, pytest --junitxml and
 * node --test --test-reporter=junit.
 * A test's id is `classname::name` (pytest: module path; jest-junit: suite/describe path).
 */
export function parseJunit(xml: string): JunitResults {
  const doc = parser.parse(xml) as { testsuites?: Suite; testsuite?: Suite[] };
  // node --test writes top-level test cases straight under <testsuites>.
  const suites = doc.testsuites ? [doc.testsuites] : (doc.testsuite ?? []);
  const out: JunitResults = { passed: [], failed: [], collectionErrors: [] };
  const visit = (suite: Suite) => {
    for (const tc of suite.testcase ?? []) {
      const id = [tc['@_classname'] || suite['@_name'] || tc['@_file'] || '', tc['@_name'] ?? ''].filter(Boolean).join('::');
      if (tc.skipped !== undefined) continue;
      if (tc.error !== undefined && isCollectionError(tc)) out.collectionErrors.push(id);
      else if (tc.failure !== undefined || tc.error !== undefined) out.failed.push(id);
      else out.passed.push(id);
    }
    for (const child of suite.testsuite ?? []) visit(child);
  };
  for (const suite of suites) visit(suite);
  return out;
}
