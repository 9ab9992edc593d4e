import { PassThrough } from 'node:stream';
import { createLogger } from '../src';

function capture(level: 'info' | 'warn' = 'info') {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (c: Buffer) => c.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l))));
  return { logger: createLogger({ service: 'svc', level, stream }), lines };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('createLogger', () => {
  it('writes one JSON object per line with service, level, message, timestamp and fields', async () => {
    const { logger, lines } = capture();
    logger.info('phase claimed', { run_id: 'r1', attempt: 2 });
    await flush();
    expect(lines).toEqual([
      { service: 'svc', level: 'info', message: 'phase claimed', run_id: 'r1', attempt: 2, timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
    ]);
  });

  it('writes errors given as fields with name, message and stack', async () => {
    const { logger, lines } = capture();
    logger.error('request failed', { err: new TypeError('boom') });
    await flush();
    expect(lines[0]!['err']).toEqual({ name: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom') });
  });

  it('keeps fields of child loggers and drops lines below the level', async () => {
    const { logger, lines } = capture('warn');
    const child = logger.child({ correlation_id: 'c-1' });
    child.info('quiet');
    child.warn('loud');
    await flush();
    expect(lines).toEqual([expect.objectContaining({ message: 'loud', correlation_id: 'c-1' })]);
  });
});
