/** What tools (integration tests, benchmarks) may build the server from. */
export { createApp, resolveServices } from './app';
export type { AppContext, AppServices } from './app-context';
export type { Authenticate } from './auth/authenticate';
export { createWorkSignal, type WorkSignal } from './claims/work-signal';
export { ManualClock, systemClock, type Clock } from './clock';
export { loadConfig, type ServerConfig } from './config';
export type { Principal } from './http/request-context';
export { createReaper, type Reaper, type SweepResult } from './reaper/reaper';
