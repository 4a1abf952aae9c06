import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * docker-compose.yml as Compose reads it, without Docker: YAML with merge keys (`<<: *anchor`), then
 * variable interpolation of every string (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `$$` for a literal `$`) from `env`, as Compose does from .env. Returns the model
 * and the names of the variables the file reads. `.ci/run` has the real `docker compose config`
 * validate the same file against Compose's schema.
 */
export function loadComposeFile(
  path: string,
  env: Record<string, string>,
): { model: ComposeModel; variables: Set<string> } {
  const variables = new Set<string>();
  const interpolate = (text: string): string =>
    text.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (whole, braced: string | undefined, operator: string | undefined, operand: string, bare: string) => {
        if (whole === '$$') return '$';
        const name = braced ?? bare;
        variables.add(name);
        const value = env[name];
        const unset = value === undefined || (operator?.startsWith(':') === true && value === '');
        if (operator?.endsWith('?') && unset)
          throw new Error(`required variable ${name} is missing a value: ${operand}`);
        if (operator?.endsWith('-') && unset) return interpolate(operand);
        return value ?? '';
      },
    );
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return interpolate(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  const model = walk(parse(readFileSync(path, 'utf8'), { merge: true })) as ComposeModel;
  return { model, variables };
}

export interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  profiles?: string[];
  container_name?: string;
  ports?: string[];
  init?: boolean;
  restart?: string;
  stop_grace_period?: string;
  environment?: Record<string, string | number | boolean>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

export interface ComposeModel {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose's durations: 1m30s, 40s, 500ms. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g, (_, n: string, unit: string) => {
    total += Number(n) * units[unit];
    return '';
  });
  if (rest !== '' || text === '') throw new Error(`not a Compose duration: "${text}"`);
  return total;
}
