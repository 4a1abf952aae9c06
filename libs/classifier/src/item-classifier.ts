import { loadTaxonomy, type JurisdictionCode, type SectorId, type Taxonomy } from '@frictionwatch/taxonomy';
import { parseCaseRefs, type CaseRef } from './case-refs';
import type { Classification, ClassifiableItem, Evidence } from './classification.types';
import { decideFriction } from './friction-rules';
import { resolveJurisdictions } from './jurisdiction-roles';
import { Lexicon } from './lexicon';
import { payloadOf, scannedField, type ScannedField } from './scanned-item';
import { severityOf } from './severity';
import { decideStage } from './stage-rules';
import { parseHsCodes, parseRates } from './trade-figures';

/** Bump when the rules change (the taxonomy has its own version). */
export const CLASSIFIER_VERSION = '1.0.0';

/** How near (characters) a percentage must be to a measure to count as a duty rate. */
const RATE_WINDOW = 80;

/**
 * Classifies trade items against the seed taxonomy. Pure and deterministic: the same item and taxonomy
 * always give the same classification. Build one and reuse it: the lexicon is compiled once.
 */
export class ItemClassifier {
  readonly classifierVersion = CLASSIFIER_VERSION;
  readonly taxonomyVersion: string;
  private readonly lexicon: Lexicon;
  private readonly codes: ReadonlySet<string>;

  constructor(private readonly taxonomy: Taxonomy = loadTaxonomy()) {
    this.taxonomyVersion = taxonomy.version;
    this.lexicon = new Lexicon(taxonomy);
    this.codes = new Set(taxonomy.jurisdictions.map((j) => j.code));
  }

  /** The phrases the classifier matches (taxonomy terms and rule cues), for baselines. */
  get lexiconPhrases(): readonly string[] {
    return this.lexicon.phrases;
  }

  /** Classifies each item in order: the batch form the classify worker calls (see ClassifierPool). */
  classifyMany(items: readonly ClassifiableItem[]): Classification[] {
    return items.map((item) => this.classify(item));
  }

  classify(item: ClassifiableItem): Classification {
    const evidence: Evidence[] = [];
    const fields: ScannedField[] = [scannedField('title', item.title, this.lexicon.scan(item.title))];
    if (item.summary) fields.push(scannedField('summary', item.summary, this.lexicon.scan(item.summary)));

    const refs = fields.flatMap((field) => parseCaseRefs(field.text).map((ref) => ({ field, ref })));
    const { sectors, subsectors } = this.sectorsOf(fields, evidence);
    const decision = decideFriction(fields, refs, this.lexicon, evidence, isWto(item.source));

    let actors: JurisdictionCode[] = [];
    let targets: JurisdictionCode[] = [];
    let stage: Classification['stage'] = null;
    let dutyRates: string[] = [];
    if (decision.friction) {
      stage = decideStage(fields, this.lexicon, evidence, decision.frictionTypes.includes('wto_dispute'));
      ({ actors, targets } = resolveJurisdictions(
        fields,
        this.lexicon,
        this.hintOf(item),
        decision.frictionTypes.includes('wto_dispute'),
        evidence,
        decision.global,
      ));
      dutyRates = ratesNear(fields, decision.typeHits);
    }
    const classification: Classification = {
      id: item.id ?? null,
      friction: decision.friction,
      frictionTypes: decision.frictionTypes,
      sectors,
      subsectors,
      actors,
      targets,
      stage,
      severity: 0,
      caseRefs: refs.map(({ field, ref }) => ({ ...ref, field: field.field }) as CaseRef),
      hsCodes: [...new Set(fields.flatMap((f) => parseHsCodes(f.text)))],
      dutyRates,
      evidence,
      classifierVersion: CLASSIFIER_VERSION,
      taxonomyVersion: this.taxonomyVersion,
    };
    classification.severity = severityOf(classification, this.taxonomy);
    return classification;
  }

  private sectorsOf(fields: readonly ScannedField[], evidence: Evidence[]) {
    const sectors: SectorId[] = [];
    const subsectors: string[] = [];
    for (const field of fields) {
      for (const hit of field.hits) {
        for (const p of hit.payloads) {
          if (p.kind !== 'sector') continue;
          const at = {
            field: field.field,
            start: hit.start,
            end: hit.end,
            text: field.text.slice(hit.start, hit.end),
          };
          const rule = this.lexicon.ruleOf(hit.phrase, p);
          if (!sectors.includes(p.top)) {
            sectors.push(p.top);
            evidence.push({ label: 'sectors', value: p.top, rule, ...at });
          }
          if (p.node !== p.top && !subsectors.includes(p.node)) {
            subsectors.push(p.node);
            evidence.push({ label: 'subsectors', value: p.node, rule, ...at });
          }
        }
      }
    }
    return { sectors, subsectors };
  }

  /** The publisher's jurisdiction: the hint when it is a known code, else what the source's name says. */
  private hintOf(item: ClassifiableItem) {
    const hint = item.jurisdictionHint?.trim().toUpperCase();
    if (hint && this.codes.has(hint)) {
      return { code: hint, field: 'jurisdictionHint' as const, text: item.jurisdictionHint! };
    }
    if (item.source) {
      for (const hit of this.lexicon.scan(item.source)) {
        const j = payloadOf(hit, 'jurisdiction');
        if (j) return { code: j.code, field: 'source' as const, text: item.source };
      }
    }
    return null;
  }
}

function ratesNear(
  fields: readonly ScannedField[],
  typeHits: readonly { field: ScannedField; hit: { start: number; end: number } }[],
): string[] {
  const rates: string[] = [];
  for (const field of fields) {
    const near = typeHits.filter((t) => t.field === field);
    for (const r of parseRates(field.text)) {
      const close = near.some((t) => Math.abs(t.hit.start - r.start) <= RATE_WINDOW);
      if (close && !rates.includes(r.rate)) rates.push(r.rate);
    }
  }
  return rates;
}

/** The WTO as publisher: its titles name disputes without saying "WTO". */
function isWto(source: string | null | undefined): boolean {
  return !!source && /\bWTO\b|World Trade Organi[sz]ation|世贸组织|世界贸易组织/.test(source);
}

let shared: ItemClassifier | undefined;

/** Classifies with a classifier over the seed taxonomy, built on first use. */
export function classify(item: ClassifiableItem): Classification {
  shared ??= new ItemClassifier();
  return shared.classify(item);
}
