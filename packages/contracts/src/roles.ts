import { z } from 'zod';

/** SPEC §7: who may do what is decided per route from these roles. */
export const ROLES = ['admin', 'operator', 'executor', 'viewer'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
