/**
 * Case references in trade texts: the keys that link items about one case.
 *   us_commerce   A-570-123 (anti-dumping), C-570-124 (countervailing), A-570-001 (Commerce case numbers)
 *   usitc         701-TA-123, 731-TA-1690 (and ranges 731-TA-1690-1692), TA-201-75, 337-TA-1234
 *   eu_case       AD710, AS689, R787, AC (EU trade defence case numbers)
 *   eu_regulation Regulation (EU) 2024/1866, Implementing Regulation (EU) No 1238/2013
 *   wto           DS623 (WT/DS623)
 *   fr_document   Federal Register document numbers: 2024-12345, FR Doc. 2024-12345
 *   fr_citation   89 FR 12345
 *   mofcom        商务部公告2024年第31号
 */
export type CaseRefKind =
  'us_commerce' | 'usitc' | 'eu_case' | 'eu_regulation' | 'wto' | 'fr_document' | 'fr_citation' | 'mofcom';

export interface CaseRef {
  kind: CaseRefKind;
  /** Canonical spelling: `A-570-123`, `731-TA-1690`, `AD710`, `2024/1866`, `DS623`, `2024-12345`, `89 FR 12345`, `2024/31`. */
  ref: string;
  /** The measure the reference implies, when it does. */
  measure?: 'anti_dumping' | 'anti_subsidy' | 'safeguard';
  /** Offsets in the field (title or summary) the reference was found in. */
  start: number;
  end: number;
  field?: 'title' | 'summary';
}

interface Rule {
  kind: CaseRefKind;
  /** A cheap test the text must pass before the pattern runs. */
  hint: RegExp;
  pattern: RegExp;
  canonical: (m: RegExpExecArray) => string;
  measure?: (m: RegExpExecArray) => CaseRef['measure'];
}

const RULES: readonly Rule[] = [
  {
    kind: 'us_commerce',
    hint: /[AC]-\d{3}-/,
    pattern: /(?<![\w-])([AC])-(\d{3})-(\d{3,4})(?![\w-])/g,
    canonical: (m) => `${m[1]}-${m[2]}-${m[3]}`,
    measure: (m) => (m[1] === 'A' ? 'anti_dumping' : 'anti_subsidy'),
  },
  {
    kind: 'usitc',
    hint: /\d-TA-\d/,
    pattern: /(?<![\w-])(701|731)-TA-(\d{1,4})(?:-(\d{1,4}))?(?![\w])/g,
    canonical: (m) => `${m[1]}-TA-${m[2]}${m[3] ? `-${m[3]}` : ''}`,
    measure: (m) => (m[1] === '731' ? 'anti_dumping' : 'anti_subsidy'),
  },
  {
    kind: 'usitc',
    hint: /TA-201-/,
    pattern: /(?<![\w-])TA-201-(\d{1,4})(?![\w])/g,
    canonical: (m) => `TA-201-${m[1]}`,
    measure: () => 'safeguard',
  },
  {
    kind: 'usitc',
    hint: /337-TA-/,
    pattern: /(?<![\w-])337-TA-(\d{1,5})(?![\w])/g,
    canonical: (m) => `337-TA-${m[1]}`,
  },
  {
    kind: 'eu_case',
    hint: /(?:AD|AS|AC|R)\d{3}/,
    pattern: /(?<![\w/-])(AD|AS|AC|R)(\d{3,4})(?![\w/-])/g,
    canonical: (m) => `${m[1]}${m[2]}`,
    measure: (m) => (m[1] === 'AD' ? 'anti_dumping' : m[1] === 'AS' ? 'anti_subsidy' : undefined),
  },
  {
    kind: 'eu_regulation',
    hint: /Regulation/,
    pattern: /Regulation\s*\((?:EU|EC|EEC)\)\s*(?:No\.?\s*)?(\d{1,4}\/\d{1,4})/g,
    canonical: (m) => m[1],
  },
  {
    kind: 'wto',
    hint: /DS\s?\d/,
    pattern: /(?<![\w-])(?:WT\/)?DS\s?(\d{1,3})(?![\w])/g,
    canonical: (m) => `DS${m[1]}`,
  },
  {
    kind: 'fr_document',
    hint: /\d{4}-\d{5}/,
    pattern: /(?:FR\s+Doc\.?\s*(?:No\.?\s*)?)?(?<![\w/-])((?:19|20)\d{2})-(\d{5})(?![\w-])/g,
    canonical: (m) => `${m[1]}-${m[2]}`,
  },
  {
    kind: 'fr_citation',
    hint: /\d FR \d/,
    pattern: /(?<![\w-])(\d{2,3})\s+FR\s+(\d{3,6})(?![\w])/g,
    canonical: (m) => `${m[1]} FR ${m[2]}`,
  },
  {
    kind: 'mofcom',
    hint: /商务部公告/,
    pattern: /商务部公告\s*(\d{4})\s*年\s*第\s*(\d{1,3})\s*号/g,
    canonical: (m) => `${m[1]}/${m[2]}`,
  },
];

/** Every case reference in `text`, in order of position, each once. */
export function parseCaseRefs(text: string): CaseRef[] {
  const refs: CaseRef[] = [];
  if (!/\d\d/.test(text)) return refs;
  for (const rule of RULES) {
    if (!rule.hint.test(text)) continue;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(text); m !== null; m = rule.pattern.exec(text)) {
      const ref: CaseRef = {
        kind: rule.kind,
        ref: rule.canonical(m),
        start: m.index,
        end: m.index + m[0].length,
      };
      const measure = rule.measure?.(m);
      if (measure) ref.measure = measure;
      refs.push(ref);
    }
  }
  refs.sort((a, b) => a.start - b.start);
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.kind}:${r.ref}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
