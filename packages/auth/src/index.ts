export * from './api-keys';
export * from './passwords';
export * from './route-access';
export * from './signing-keys';
export * from './tokens';
export { ROLES, Role } from '@autopack/contracts';
