import type { Role, RouteId } from '@autopack/contracts';

export type RouteAccess = 'public' | readonly Role[];

const readers: readonly Role[] = ['admin', 'operator', 'executor', 'viewer'];
const phaseWriters: readonly Role[] = ['admin', 'operator', 'executor'];
const operators: readonly Role[] = ['admin', 'operator'];
const admins: readonly Role[] = ['admin'];
const executors: readonly Role[] = ['admin', 'executor'];

/**
 * Who may call each route: the one table of access rules (SPEC §7, least privilege per route).
 * Executors claim, heartbeat, release and write about the phases they lease (fenced writes also
 * need the lease token); operators and admins steer (cancel, retry, skip, pause, resume, decide);
 * viewers read; admins manage users, keys and signing keys.
 * The compiler insists on an entry for every route of the contract. `public` routes need no
 * credentials even in production; all others need one of the listed roles (an open development
 * server, with no key or user yet, lets everyone in as admin; AUTOPACK_PUBLIC_READ=1 lets
 * anonymous callers use GET routes open to viewers).
 */
export const ROUTE_ACCESS: Readonly<Record<RouteId, RouteAccess>> = {
  startRun: operators,
  importRun: operators,
  listRuns: readers,
  getRun: readers,
  getRunProgress: readers,
  listRunEvents: readers,
  getRunIssueIndex: readers,
  listRunErrors: readers,
  getRunErrorSummary: readers,
  listPhases: readers,
  updatePhaseStatus: phaseWriters,
  recordBuilderResult: phaseWriters,
  recordAuditorResult: phaseWriters,
  recordIssue: phaseWriters,
  recordUsage: phaseWriters,
  claimPhase: executors,
  heartbeatLease: executors,
  releaseLease: executors,
  cancelRun: operators,
  retryPhase: operators,
  skipPhase: operators,
  pauseExecution: operators,
  resumeExecution: operators,
  getExecutionStatus: readers,
  createGovernanceRequest: phaseWriters,
  listGovernancePending: readers,
  decideGovernance: operators,
  createApprovalRequest: phaseWriters,
  getApprovalStatus: readers,
  listApprovalPending: readers,
  decideApproval: operators,
  uploadArtifact: phaseWriters,
  getArtifactIndex: readers,
  getArtifactFile: readers,
  getIssueBacklog: readers,
  getHealth: 'public',
  getReady: 'public',
  getOpenApi: readers,
  getApiDocs: readers,
  getApiDocsScript: readers,
  login: 'public',
  register: 'public',
  getJwks: 'public',
  // Says only what JWKS already shows (whether a key signs, how many, which kid), as the
  // predecessor's unauthenticated route did.
  getKeyStatus: 'public',
  getMe: readers,
  createUser: admins,
  createApiKey: admins,
  listApiKeys: admins,
  revokeApiKey: admins,
  rotateSigningKey: admins,
};

/**
 * The API documentation (the OpenAPI document, the page that renders it and its script): readable
 * without credentials in development, and in production only with AUTOPACK_PUBLIC_API_DOCS=1
 * (otherwise, as listed in ROUTE_ACCESS).
 */
export const API_DOCS_ROUTES: ReadonlySet<RouteId> = new Set<RouteId>(['getOpenApi', 'getApiDocs', 'getApiDocsScript']);
const DOCS_ANONYMOUS = 'development; production with `AUTOPACK_PUBLIC_API_DOCS=1`';

const ROLE_ORDER: readonly Role[] = ['admin', 'operator', 'executor', 'viewer'];

/**
 * The permission table as Markdown (docs/security.md embeds it; a test keeps the two equal):
 * one row per route, one column per role.
 */
export function renderPermissionTable(routes: Readonly<Record<RouteId, { method: string; path: string }>>): string {
  const header = `| Route | Operation | anonymous | ${ROLE_ORDER.join(' | ')} |`;
  const rule = `|---|---|${'---|'.repeat(ROLE_ORDER.length + 1)}`;
  const rows = (Object.keys(ROUTE_ACCESS) as RouteId[]).map((id) => {
    const access = ROUTE_ACCESS[id];
    const cell = (role: Role | 'anonymous') =>
      access === 'public' || (role !== 'anonymous' && access.includes(role))
        ? 'yes'
        : role === 'anonymous' && API_DOCS_ROUTES.has(id)
          ? DOCS_ANONYMOUS
          : '—';
    const { method, path } = routes[id];
    return `| \`${method.toUpperCase()} ${path}\` | ${id} | ${cell('anonymous')} | ${ROLE_ORDER.map(cell).join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}
