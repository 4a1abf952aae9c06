import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import {
  frictionTypesFileSchema,
  jurisdictionsFileSchema,
  sectorsFileSchema,
  stagesFileSchema,
  type JurisdictionInput,
} from './taxonomy.schema';
import type {
  FrictionTypeNode,
  Jurisdiction,
  SectorNode,
  StageNode,
  Taxonomy,
  TaxonomyNode,
} from './taxonomy.types';
import { FRICTION_TYPE_IDS, SECTOR_IDS, STAGE_IDS } from './vocabulary';

/** The seed files' texts, as read from disk (or given by a test). */
export interface TaxonomySources {
  sectors: string;
  frictionTypes: string;
  stages: string;
  jurisdictions: string;
}

export class TaxonomyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid taxonomy:\n  - ${problems.join('\n  - ')}`);
    this.name = 'TaxonomyError';
  }
}

export const SEED_FILES = {
  sectors: 'taxonomy/sectors.yaml',
  frictionTypes: 'taxonomy/friction-types.yaml',
  stages: 'taxonomy/stages.yaml',
  jurisdictions: 'jurisdictions.yaml',
} as const satisfies Record<keyof TaxonomySources, string>;

const cache = new Map<string, Taxonomy>();

/**
 * Loads the seed taxonomy synchronously (the CLI's startup matters) and caches it per directory.
 * The directory is `seedsDir`, else `FRICTIONWATCH_SEEDS_DIR`, else the nearest `seeds/` above this file.
 */
export function loadTaxonomy(options: { seedsDir?: string } = {}): Taxonomy {
  const dir = resolve(options.seedsDir ?? process.env.FRICTIONWATCH_SEEDS_DIR ?? findSeedsDir(__dirname));
  const cached = cache.get(dir);
  if (cached) return cached;
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
  const taxonomy = parseTaxonomy({
    sectors: read(SEED_FILES.sectors),
    frictionTypes: read(SEED_FILES.frictionTypes),
    stages: read(SEED_FILES.stages),
    jurisdictions: read(SEED_FILES.jurisdictions),
  });
  cache.set(dir, taxonomy);
  return taxonomy;
}

function findSeedsDir(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'seeds');
    if (existsSync(join(candidate, SEED_FILES.sectors))) return candidate;
    if (dirname(dir) === dir) throw new TaxonomyError([`no seeds/${SEED_FILES.sectors} above ${start}`]);
  }
}

/** Parses and validates the seed texts into a typed taxonomy with a content version. Pure. */
export function parseTaxonomy(sources: TaxonomySources): Taxonomy {
  const problems: string[] = [];
  const sectorsFile = validate(sectorsFileSchema, sources.sectors, SEED_FILES.sectors, problems);
  const typesFile = validate(
    frictionTypesFileSchema,
    sources.frictionTypes,
    SEED_FILES.frictionTypes,
    problems,
  );
  const stagesFile = validate(stagesFileSchema, sources.stages, SEED_FILES.stages, problems);
  const jurisdictionsFile = validate(
    jurisdictionsFileSchema,
    sources.jurisdictions,
    SEED_FILES.jurisdictions,
    problems,
  );
  if (!sectorsFile || !typesFile || !stagesFile || !jurisdictionsFile) throw new TaxonomyError(problems);

  const sectorWeights = new Map<string, number>();
  const sectors = linkNodes(sectorsFile.nodes, SECTOR_IDS, 'sector', problems).map((node): SectorNode => {
    const weight = node.weight ?? sectorWeights.get(node.topId) ?? 0.5;
    if (node.parent === null) sectorWeights.set(node.id, weight);
    return { ...node, kind: node.kind, weight };
  });
  const frictionTypes = linkNodes(typesFile.nodes, FRICTION_TYPE_IDS, 'friction type', problems).map(
    (node): FrictionTypeNode => ({
      ...node,
      severity: node.severity ?? typesFile.nodes.find((n) => n.id === node.topId)?.severity ?? 0.5,
    }),
  );
  const stages = linkNodes(stagesFile.nodes, STAGE_IDS, 'stage', problems).map((node): StageNode => ({
    ...node,
    precedence: node.precedence,
    severity: node.severity,
  }));
  const jurisdictions = jurisdictionsFile.jurisdictions.map(toJurisdiction);
  checkUnique(
    jurisdictions.map((j) => j.code),
    'jurisdiction code',
    problems,
  );
  if (!jurisdictions.some((j) => j.code === 'EU')) problems.push('jurisdictions: EU is missing');
  if (problems.length > 0) throw new TaxonomyError(problems);

  const content = {
    sectors,
    frictionTypes,
    stages,
    jurisdictions,
    jurisdictionBlockers: jurisdictionsFile.blockers,
  };
  return { version: taxonomyVersionOf(content), ...content };
}

/** A short hash of the canonical content (sorted keys): the same content always gives the same version. */
export function taxonomyVersionOf(content: unknown): string {
  return `tx-${createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 12)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function validate<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  problems: string[],
): z.infer<S> | undefined {
  let data: unknown;
  try {
    // Through JSON and back: the YAML parser slices its values out of the file's text, and V8 keeps a
    // slice of a text with any character beyond Latin-1 (these files hold Chinese terms) at two bytes
    // per character. Every id the classifier copies into an event would then make that event's JSON
    // two-byte as well: twice the memory, slower to flatten and encode for Postgres (6% of the ingest
    // worker's main thread). JSON.parse gives each string its narrowest form.
    data = JSON.parse(JSON.stringify(parse(text)));
  } catch (error) {
    problems.push(`${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return undefined;
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  for (const issue of result.error.issues)
    problems.push(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  return undefined;
}

type RawNode = Omit<TaxonomyNode<string>, 'topId'>;

/** Checks ids, parents and the top-level set, and gives each node its top-level id. */
function linkNodes<N extends RawNode, Top extends string>(
  nodes: readonly N[],
  topIds: readonly Top[],
  what: string,
  problems: string[],
): (N & { topId: Top })[] {
  const ids = new Set(nodes.map((n) => n.id));
  checkUnique(
    nodes.map((n) => n.id),
    `${what} id`,
    problems,
  );
  for (const top of topIds) if (!ids.has(top)) problems.push(`${what} ${top} (vocabulary.md) is missing`);
  for (const node of nodes) {
    const top = node.id.split('/')[0];
    if (!(topIds as readonly string[]).includes(top))
      problems.push(`${what} ${node.id}: ${top} is not in vocabulary.md`);
    if (node.parent === null) {
      if (node.id.includes('/')) problems.push(`${what} ${node.id}: a child needs a parent`);
    } else if (!ids.has(node.parent)) {
      problems.push(`${what} ${node.id}: unknown parent ${node.parent}`);
    } else if (!node.id.startsWith(`${node.parent}/`)) {
      problems.push(`${what} ${node.id}: id must start with its parent's id ${node.parent}/`);
    }
    if (node.terms.length + node.weakTerms.length + node.genericTerms.length === 0)
      problems.push(`${what} ${node.id}: no terms`);
  }
  return nodes.map((node) => ({ ...node, topId: node.id.split('/')[0] as Top }));
}

function checkUnique(values: readonly string[], what: string, problems: string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) problems.push(`duplicate ${what}: ${value}`);
    seen.add(value);
  }
}

function toJurisdiction(input: JurisdictionInput): Jurisdiction {
  return {
    code: input.code,
    name: input.name ?? input.names[0],
    eu: input.eu ?? false,
    mentions: {
      name: input.names,
      demonym: input.demonyms,
      origin: input.origins,
      capital: input.capitals,
      institution: input.institutions,
      firm: input.firms,
    },
  };
}
