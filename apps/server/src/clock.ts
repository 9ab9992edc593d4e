/** Time is injected so that tests move it instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that moves only when told to, plus 1 ms per reading so that timestamps differ: for tests
 * and simulations of leases, timeouts and the reaper without sleeping.
 */
export class ManualClock implements Clock {
  constructor(private ms = Date.parse('2026-11-22T10:00:00.000Z')) {}
  now(): Date {
    this.ms += 1;
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
