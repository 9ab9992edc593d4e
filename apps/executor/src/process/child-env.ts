/**
 * Credentials of the executor itself — its server key, provider keys, any Autopack key, token,
 * secret or password. A repository's tests are code from the repository; a coding agent follows
 * prompts that repository content can steer. Neither may walk off with what the executor holds.
 */
const EXECUTOR_SECRET = /^(AUTOPACK_\w*(KEY|TOKEN|SECRET|PASSWORD)(_FILE)?|ANTHROPIC_API_KEY|OPENAI_API_KEY)$/;

/** The environment for a child process: this one's minus the executor's credentials, plus `extra`. */
export function childEnv(base: NodeJS.ProcessEnv, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (!EXECUTOR_SECRET.test(name)) env[name] = value;
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}
