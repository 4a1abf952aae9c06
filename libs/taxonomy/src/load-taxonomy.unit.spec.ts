import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serialize } from 'node:v8';
import {
  FRICTION_TYPE_IDS,
  SECTOR_IDS,
  STAGE_IDS,
  loadTaxonomy,
  parseTaxonomy,
  TaxonomyError,
} from './index';
import { SEED_FILES, type TaxonomySources } from './load-taxonomy';

const seedsDir = resolve(__dirname, '../../../seeds');
const sources = (): TaxonomySources => ({
  sectors: readFileSync(join(seedsDir, SEED_FILES.sectors), 'utf8'),
  frictionTypes: readFileSync(join(seedsDir, SEED_FILES.frictionTypes), 'utf8'),
  stages: readFileSync(join(seedsDir, SEED_FILES.stages), 'utf8'),
  jurisdictions: readFileSync(join(seedsDir, SEED_FILES.jurisdictions), 'utf8'),
});

describe('the seed taxonomy', () => {
  const taxonomy = loadTaxonomy({ seedsDir });

  it('has every top-level id of vocabulary.md, and only those', () => {
    const tops = (nodes: readonly { id: string; parent: string | null }[]) =>
      nodes.filter((n) => n.parent === null).map((n) => n.id);
    expect(tops(taxonomy.sectors).sort()).toEqual([...SECTOR_IDS].sort());
    expect(tops(taxonomy.frictionTypes).sort()).toEqual([...FRICTION_TYPE_IDS].sort());
    expect(tops(taxonomy.stages).sort()).toEqual([...STAGE_IDS].sort());
  });

  it('holds its Latin-1 ids one byte per character, although the files hold Chinese terms', () => {
    // V8's serializer tags a string by how it is stored: '"' one byte per character, 'c' two bytes.
    const storage = (value: string) => (serialize(value)[2] === 0x22 ? 'one-byte' : 'two-byte');
    const ids = [
      ...taxonomy.sectors.flatMap((n) => [n.id, n.topId]),
      ...taxonomy.frictionTypes.flatMap((n) => [n.id, n.topId]),
      ...taxonomy.stages.map((n) => n.id),
      ...taxonomy.jurisdictions.map((j) => j.code),
    ];
    expect(ids.length).toBeGreaterThan(50);
    expect(ids.filter((id) => storage(id) === 'two-byte')).toEqual([]);
    // The oracle tells the two apart: the same id sliced out of a text with a Chinese character.
    const wide = `${taxonomy.sectors[0].id} 新质生产力`.slice(0, taxonomy.sectors[0].id.length);
    expect({ wide: storage(wide), narrow: storage(taxonomy.sectors[0].id) }).toEqual({
      wide: 'two-byte',
      narrow: 'one-byte',
    });
  });

  it('refines sectors with children that report their top-level id', () => {
    const byId = new Map(taxonomy.sectors.map((n) => [n.id, n]));
    for (const id of [
      'semiconductors/equipment',
      'semiconductors/legacy_chips',
      'critical_minerals/gallium',
      'critical_minerals/rare_earths',
      'electric_vehicles/bev',
      'solar_pv/polysilicon',
    ]) {
      expect(byId.get(id)?.topId).toBe(id.split('/')[0]);
    }
    expect(byId.get('critical_minerals/gallium')?.weight).toBe(byId.get('critical_minerals')?.weight);
  });

  it('classes sectors as emerging, future or traditional industries', () => {
    const kind = (id: string) => taxonomy.sectors.find((n) => n.id === id)?.kind;
    expect(kind('electric_vehicles')).toBe('emerging');
    expect(kind('quantum')).toBe('future');
    expect(kind('traditional_industries')).toBe('traditional');
  });

  it('carries the Chinese official terms', () => {
    const all = [...taxonomy.sectors, ...taxonomy.frictionTypes, ...taxonomy.stages].flatMap((n) => n.terms);
    for (const term of [
      '新能源汽车',
      '反倾销',
      '反补贴',
      '出口管制',
      '关税',
      '保障措施',
      '不可靠实体清单',
      '立案',
      '初裁',
      '终裁',
      '期终复审',
      '终止',
    ]) {
      expect(all).toContain(term);
    }
  });

  it('knows jurisdictions with their metonyms, the EU and its member states', () => {
    const byCode = new Map(taxonomy.jurisdictions.map((j) => [j.code, j]));
    expect(byCode.get('CN')?.mentions.demonym).toContain('Chinese');
    expect(byCode.get('CN')?.mentions.name).toContain("People's Republic of China");
    expect(byCode.get('CN')?.mentions.institution).toEqual(expect.arrayContaining(['MOFCOM', 'GACC']));
    expect(byCode.get('EU')?.mentions.capital).toContain('Brussels');
    expect(byCode.get('US')?.mentions.institution).toEqual(
      expect.arrayContaining(['=BIS', 'USTR', 'USITC', 'CFIUS']),
    );
    expect(byCode.get('IN')?.mentions.institution).toContain('DGTR');
    expect(taxonomy.jurisdictions.filter((j) => j.eu)).toHaveLength(27);
  });

  it('gives every node a provenance, and every quoted phrase is in the cited seed document', () => {
    const docsDir = resolve(__dirname, '../../../../shared/seed-documents');
    expect(existsSync(docsDir)).toBe(true);
    const squash = (s: string) => s.replace(/\s+/g, ' ').toLowerCase();
    const docs = new Map<string, string>();
    for (const node of [...taxonomy.sectors, ...taxonomy.frictionTypes, ...taxonomy.stages]) {
      expect(node.provenance.length).toBeGreaterThan(0);
      for (const p of node.provenance) {
        if (!('document' in p)) continue;
        if (!docs.has(p.document))
          docs.set(p.document, squash(readFileSync(join(docsDir, p.document), 'utf8')));
        expect({
          node: node.id,
          phrase: p.phrase,
          found: docs.get(p.document)!.includes(squash(p.phrase)),
        }).toEqual({
          node: node.id,
          phrase: p.phrase,
          found: true,
        });
      }
    }
  });
});

describe('the taxonomy version', () => {
  it('is stable for the same content and ignores comments', () => {
    const a = parseTaxonomy(sources());
    const withComment = { ...sources(), stages: `# a comment\n${sources().stages}` };
    expect(parseTaxonomy(withComment).version).toBe(a.version);
    expect(a.version).toMatch(/^tx-[0-9a-f]{12}$/);
  });

  it('changes when a term changes', () => {
    const a = parseTaxonomy(sources());
    const changed = {
      ...sources(),
      sectors: sources().sectors.replace('      - polysilicon\n', '      - poly-silicon\n'),
    };
    expect(parseTaxonomy(changed).version).not.toBe(a.version);
  });
});

describe('validation', () => {
  const expectProblem = (patch: Partial<TaxonomySources>, problem: RegExp) => {
    try {
      parseTaxonomy({ ...sources(), ...patch });
      throw new Error('expected a TaxonomyError');
    } catch (error) {
      expect(error).toBeInstanceOf(TaxonomyError);
      expect((error as TaxonomyError).problems.join('\n')).toMatch(problem);
    }
  };

  it('rejects a missing top-level sector', () => {
    expectProblem(
      { sectors: sources().sectors.replace('  - id: quantum\n', '  - id: quantum_stuff\n') },
      /quantum/,
    );
  });

  it('rejects a child with an unknown parent', () => {
    expectProblem(
      { sectors: sources().sectors.replace('parent: solar_pv\n', 'parent: solar\n') },
      /unknown parent solar/,
    );
  });

  it('rejects a node without provenance', () => {
    const stages = sources().stages.replace(
      / {4}provenance:\n {6}- implied: the end of a measure or case; counterpart of its opening\n/,
      '    provenance: []\n',
    );
    expectProblem({ stages }, /provenance/);
  });

  it('rejects YAML that does not parse', () => {
    expectProblem({ jurisdictions: 'jurisdictions: [' }, /jurisdictions.yaml/);
  });
});
