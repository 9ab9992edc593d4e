import { AutopackClient } from '@autopack/executor-client';
import { createLogger } from '@autopack/logging';
import { createAuditor } from './auditor/create-auditor';
import { EXECUTOR_USAGE, ExecutorConfigError, loadExecutorConfig, type ExecutorConfig } from './config';
import type { LlmSettingsInput } from './llm/settings';
import type { BuilderSettings } from './pipeline/choose-builder';
import { startExecutor } from './worker/executor-loop';

function providerSettings(config: ExecutorConfig): BuilderSettings['providers'] {
  const common = { maxTokens: config.llm.maxTokens, timeoutMs: config.llm.timeoutMs, maxAttempts: config.llm.maxAttempts };
  const model = (provider: 'anthropic' | 'openai') => (config.llm.model && config.llm.provider === provider ? { model: config.llm.model } : {});
  const out: BuilderSettings['providers'] = {};
  if (config.secrets.anthropicApiKey) {
    out.anthropic = { provider: 'anthropic', apiKey: config.secrets.anthropicApiKey, baseUrl: config.llm.anthropicBaseUrl, ...model('anthropic'), ...common };
  }
  if (config.secrets.openaiApiKey) {
    out.openai = { provider: 'openai', apiKey: config.secrets.openaiApiKey, baseUrl: config.llm.openaiBaseUrl, ...model('openai'), ...common };
  }
  return out;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(EXECUTOR_USAGE);
    return;
  }
  let config: ExecutorConfig;
  try {
    config = loadExecutorConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof ExecutorConfigError) {
      console.error(`autopack executor: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ service: 'autopack-executor', level: config.logLevel }).child({ executor_id: config.executorId });
  const providers = providerSettings(config);
  const auditorLlm: LlmSettingsInput | undefined = config.llm.provider ? providers[config.llm.provider] : undefined;
  const executor = startExecutor({
    client: new AutopackClient({ baseUrl: config.serverUrl, apiKey: config.secrets.apiKey }),
    executorId: config.executorId,
    concurrency: config.concurrency,
    workDir: config.workDir,
    once: config.once,
    builders: { defaultProvider: config.llm.provider, providers },
    auditor: createAuditor(config.auditor === 'llm' && auditorLlm ? { kind: 'llm', llm: auditorLlm } : { kind: 'none' }),
    logger,
    graceMs: config.graceMs,
  });
  logger.info('executor started', { server: config.serverUrl, concurrency: config.concurrency, work_dir: config.workDir, once: config.once });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down: no new claims; finishing or releasing current phases', { signal });
    void executor.shutdown();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await executor.done;
  logger.info('executor stopped');
}

void main().catch((err: unknown) => {
  console.error('autopack executor: fatal error', err);
  process.exit(1);
});
