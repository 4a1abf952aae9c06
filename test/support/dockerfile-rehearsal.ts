import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, posix, relative } from 'node:path';

/**
 * Without a Docker engine, the next best check of the Dockerfile: its stages replayed on this host, in
 * a temporary directory per stage (WORKDIR /app is <stage>/app), COPY from the build context filtered
 * by .dockerignore or from an earlier stage, RUN with `sh -c`. What cannot be replayed here (the base
 * image's OS, USER switching, HEALTHCHECK timing) is parsed and returned for the test to run or check.
 * An instruction it does not know is an error, never skipped.
 */
export interface Instruction {
  op: string;
  args: string;
  line: number;
}

export interface RehearsedStage {
  name: string;
  from: string;
  /** The stage's filesystem root on this host. */
  root: string;
  /** WORKDIR mapped onto `root`. */
  workdir: string;
  env: Record<string, string>;
  user: string | null;
  entrypoint: string[] | null;
  cmd: string[] | null;
  healthcheck: string[] | null;
  exposed: string[];
}

export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.trimEnd().endsWith('\\') && i + 1 < lines.length) {
      i += 1;
      if (/^\s*#/.test(lines[i])) continue;
      line = `${line.trimEnd().slice(0, -1)} ${lines[i].trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile line ${start + 1}: cannot read "${line}"`);
    instructions.push({ op: match[1].toUpperCase(), args: match[2].trim(), line: start + 1 });
  }
  return instructions;
}

/** .dockerignore semantics for the patterns we use: anchored at the context root, `**` any depth. */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((pattern) => {
      if (pattern.startsWith('!'))
        throw new Error(`.dockerignore: exceptions (${pattern}) are not rehearsed`);
      const body = pattern
        .replace(/^\/+|\/+$/g, '')
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) =>
          part === '**/'
            ? '(?:.*/)?'
            : part === '**'
              ? '.*'
              : part === '*'
                ? '[^/]*'
                : part === '?'
                  ? '[^/]'
                  : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      return new RegExp(`^${body}(?:/.*)?$`);
    });
  return (path) => patterns.some((p) => p.test(path));
}

function execForm(args: string, where: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string'))
    throw new Error(`${where} must be in exec form (a JSON array): "${args}"`);
  return parsed as string[];
}

function run(command: string, cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env: { ...process.env, ...env }, stdio: 'pipe' });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`RUN ${command} exited ${code}:\n${output}`)),
    );
  });
}

export async function rehearseDockerfile(context: string): Promise<{
  base: string;
  stages: RehearsedStage[];
  cleanup: () => Promise<void>;
}> {
  const base = mkdtempSync(join(tmpdir(), 'fw-image-'));
  // Readable by an unprivileged user, as the image's files are by USER node.
  chmodSync(base, 0o755);
  const ignored = dockerignoreMatcher(readFileSync(join(context, '.dockerignore'), 'utf8'));
  const args: Record<string, string> = {};
  const stages: RehearsedStage[] = [];
  let stage: RehearsedStage | null = null;
  const mapped = (s: RehearsedStage, path: string) =>
    join(s.root, posix.isAbsolute(path) ? path : posix.join(relative(s.root, s.workdir), path));

  for (const { op, args: text, line } of parseDockerfile(readFileSync(join(context, 'Dockerfile'), 'utf8'))) {
    const where = `Dockerfile line ${line} (${op})`;
    if (op === 'ARG') {
      const [name, value = ''] = text.split('=');
      args[name] = value;
      continue;
    }
    if (op === 'FROM') {
      const match = /^(\S+)\s+AS\s+(\S+)$/i.exec(text);
      if (!match) throw new Error(`${where}: name every stage (FROM image AS name)`);
      const from = match[1].replace(/\$\{(\w+)\}/g, (_, n: string) => args[n] ?? '');
      const root = join(base, match[2]);
      mkdirSync(root);
      stage = {
        name: match[2],
        from,
        root,
        workdir: root,
        env: {},
        user: null,
        entrypoint: null,
        cmd: null,
        healthcheck: null,
        exposed: [],
      };
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`${where}: before any FROM`);
    const current: RehearsedStage = stage;
    switch (op) {
      case 'WORKDIR':
        current.workdir = mapped(current, text);
        mkdirSync(current.workdir, { recursive: true });
        break;
      case 'ENV':
        for (const pair of text.split(/\s+/)) {
          const [name, ...value] = pair.split('=');
          current.env[name] = value.join('=');
        }
        break;
      case 'COPY': {
        const words = text.split(/\s+/);
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const paths = words.filter((w) => !w.startsWith('--'));
        const destination = paths.pop()!;
        const into = destination.endsWith('/') || paths.length > 1;
        const target = mapped(current, destination);
        for (const source of paths) {
          const origin = from
            ? join(stages.find((s) => s.name === from)?.root ?? '', source)
            : join(context, source);
          if (!existsSync(origin)) throw new Error(`${where}: ${source} does not exist`);
          const dest = into ? join(target, basename(source)) : target;
          if (!from && ignored(source)) throw new Error(`${where}: ${source} is in .dockerignore`);
          cpSync(origin, dest, {
            recursive: true,
            filter: (path) => from !== undefined || !ignored(relative(context, path) || '.'),
          });
        }
        break;
      }
      case 'RUN':
        if (text.startsWith('[')) throw new Error(`${where}: rehearsed in shell form only`);
        // Here it would empty the host's npm cache, which other processes use.
        if (/\bnpm\s+cache\s+clean\b/.test(text)) throw new Error(`${where}: not rehearsed: ${text}`);
        await run(text, current.workdir, current.env);
        break;
      case 'USER':
        current.user = text;
        break;
      case 'EXPOSE':
        current.exposed.push(...text.split(/\s+/));
        break;
      case 'HEALTHCHECK': {
        const match = /\bCMD\s+(.*)$/.exec(text);
        if (!match) throw new Error(`${where}: needs CMD`);
        current.healthcheck = execForm(match[1], where);
        break;
      }
      case 'ENTRYPOINT':
        current.entrypoint = execForm(text, where);
        break;
      case 'CMD':
        current.cmd = execForm(text, where);
        break;
      default:
        throw new Error(`${where}: not known to the rehearsal; teach test/support/dockerfile-rehearsal.ts`);
    }
  }
  return { base, stages, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/** Whether a path exists under a stage's root (an image path such as /app/node_modules/jest). */
export function existsInStage(stage: RehearsedStage, imagePath: string): boolean {
  if (!isAbsolute(imagePath)) throw new Error(`${imagePath}: an absolute image path`);
  const path = join(stage.root, imagePath);
  return existsSync(path) && (statSync(path).isDirectory() || statSync(path).isFile());
}
