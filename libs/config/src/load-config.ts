import { configSchema, type AppConfig } from './config.schema';

/** Thrown when the environment holds a bad value; its message is one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads and validates the settings once; empty strings count as unset so defaults apply. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const input = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    return `Invalid configuration: ${name}=${JSON.stringify(shownValue(name, env[name] ?? ''))} ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** Settings whose whole value is a secret: never printed. */
const SECRET_SETTINGS = new Set(['ALERTS_TOKEN_SECRET', 'DKIM_PRIVATE_KEY']);

/**
 * A bad value as the error message shows it: a secret setting not at all, a URL's password replaced
 * by `***` (an error message ends up in logs; credentials must not).
 */
export function shownValue(name: string, value: string): string {
  if (SECRET_SETTINGS.has(name)) return '<hidden>';
  return value.replace(/(\/\/[^/@:\s]*:)[^/\s]*@/g, '$1***@');
}

/** For process entry points: prints the problems plainly and exits, instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
