import {
  caseIdFor,
  caseTitleFrom,
  linkCase,
  productFromTitle,
  structuredRefs,
  type CaseLinkInput,
} from './case-linking';
import type { LinkLabels } from './item-labels';

function labels(overrides: Partial<LinkLabels> = {}): LinkLabels {
  return {
    friction: true,
    frictionTypes: ['anti_dumping'],
    sectors: ['solar_pv'],
    subsectors: [],
    actors: ['US'],
    targets: ['CN'],
    stage: 'preliminary',
    hsCodes: [],
    caseRefs: [],
    ...overrides,
  };
}

function input(overrides: Partial<CaseLinkInput> = {}): CaseLinkInput {
  return { title: 'Some title', structuredRefs: [], labels: labels(), ...overrides };
}

describe('productFromTitle', () => {
  it.each([
    [
      "Crystalline Silicon Photovoltaic Cells, Whether or Not Assembled Into Modules, From the People's Republic of China: Final Results of Antidumping Duty Administrative Review",
      'crystalline silicon photovoltaic cell',
    ],
    ['Certain Steel Nails From the Sultanate of Oman: Preliminary Results', 'steel nail'],
    ['Correction: Aluminum Extrusions From China', 'aluminum extrusion'],
    [
      'EU imposes provisional countervailing duties on imports of battery electric vehicles from China',
      'battery electric vehicle',
    ],
    ['Commission opens anti-dumping investigation into tinplate originating in China', 'tinplate'],
    ['US raises tariffs on Chinese semiconductors from 25% to 50%', 'semiconductor'],
    ['MOFCOM announces export controls on gallium and germanium', ''],
    ['Biden administration announces new chip rules', ''],
  ])('%s → %s', (title, product) => {
    expect(productFromTitle(title)).toBe(product);
  });
});

describe('structuredRefs', () => {
  it('reads case numbers from docket ids and the Federal Register document number and citation', () => {
    expect(
      structuredRefs({
        docketIds: ['A-570-979', 'C-570-980', 'ITA-2024-0001'],
        documentNumber: '2024-12345',
        citation: '89 FR 12345',
        agencies: ['International Trade Administration'],
      }),
    ).toEqual([
      'fr_citation:89 FR 12345',
      'fr_document:2024-12345',
      'us_commerce:A-570-979',
      'us_commerce:C-570-980',
    ]);
  });

  it('ignores fields that are missing or of another shape', () => {
    expect(structuredRefs({ docketIds: 'A-570-001', documentNumber: 42, citation: null })).toEqual([
      'us_commerce:A-570-001',
    ]);
    expect(structuredRefs({})).toEqual([]);
  });
});

describe('linkCase', () => {
  it('makes no case for an unclassified or non-friction item', () => {
    expect(linkCase(input({ labels: null }))).toBeNull();
    expect(
      linkCase(
        input({ labels: labels({ friction: false, caseRefs: [{ kind: 'us_commerce', ref: 'A-570-979' }] }) }),
      ),
    ).toBeNull();
  });

  it('links by the case number in the text, whatever else the item says', () => {
    const a = linkCase(
      input({
        title: 'Solar cells from China: preliminary results',
        labels: labels({ caseRefs: [{ kind: 'us_commerce', ref: 'A-570-979' }] }),
      }),
    );
    const b = linkCase(
      input({
        title: 'Completely different wording: final results',
        labels: labels({
          stage: 'final',
          actors: ['US'],
          sectors: [],
          caseRefs: [{ kind: 'us_commerce', ref: 'A-570-979' }],
        }),
      }),
    );
    expect(a).toMatchObject({ basis: 'reference', key: 'ref:us_commerce:A-570-979', reference: 'A-570-979' });
    expect(b?.caseId).toBe(a?.caseId);
    expect(a?.caseId).toBe(caseIdFor('ref:us_commerce:A-570-979'));
    expect(a?.caseId).toMatch(/^case_[0-9a-f]{24}$/);
  });

  it('links by a docket id in the structured fields as well as by one in the text', () => {
    const fromDocket = linkCase(input({ structuredRefs: structuredRefs({ docketIds: ['A-570-979'] }) }));
    const fromText = linkCase(
      input({ labels: labels({ caseRefs: [{ kind: 'us_commerce', ref: 'A-570-979' }] }) }),
    );
    expect(fromDocket?.caseId).toBe(fromText?.caseId);
  });

  it('picks the primary number by kind, then the measure of the item, then code-point order', () => {
    const both = [
      { kind: 'usitc' as const, ref: '731-TA-1190' },
      { kind: 'us_commerce' as const, ref: 'C-570-980' },
      { kind: 'us_commerce' as const, ref: 'A-570-979' },
    ];
    expect(
      linkCase(input({ labels: labels({ frictionTypes: ['anti_dumping'], caseRefs: both }) }))?.reference,
    ).toBe('A-570-979');
    expect(
      linkCase(input({ labels: labels({ frictionTypes: ['anti_subsidy'], caseRefs: both }) }))?.reference,
    ).toBe('C-570-980');
    expect(
      linkCase(
        input({
          labels: labels({
            caseRefs: [
              { kind: 'usitc', ref: '731-TA-1190' },
              { kind: 'wto', ref: 'DS623' },
            ],
          }),
        }),
      )?.key,
    ).toBe('ref:usitc:731-TA-1190');
    // A USITC range links with its first investigation.
    const range = linkCase(
      input({ labels: labels({ caseRefs: [{ kind: 'usitc', ref: '731-TA-1690-1692' }] }) }),
    );
    expect(range?.key).toBe('ref:usitc:731-TA-1690');
    expect(range?.references).toEqual(['usitc:731-TA-1690-1692']);
  });

  it('does not decide a case by a document reference, but records it', () => {
    const link = linkCase(
      input({
        title: 'Certain Steel Nails From the Sultanate of Oman: Final Results',
        structuredRefs: ['fr_document:2024-12345'],
        labels: labels({ caseRefs: [{ kind: 'fr_citation', ref: '89 FR 12345' }] }),
      }),
    );
    expect(link).toMatchObject({
      basis: 'key',
      references: ['fr_citation:89 FR 12345', 'fr_document:2024-12345'],
    });
  });

  it('links by actor, target, friction type, sector and product otherwise', () => {
    const opened = linkCase(
      input({
        title: 'EU opens anti-subsidy investigation into imports of battery electric vehicles from China',
        labels: labels({
          actors: ['EU'],
          targets: ['CN'],
          frictionTypes: ['anti_subsidy'],
          sectors: ['electric_vehicles'],
          stage: 'investigation_opened',
        }),
      }),
    );
    const provisional = linkCase(
      input({
        title: 'EU imposes provisional duties on battery electric vehicles from China',
        labels: labels({
          actors: ['EU'],
          targets: ['CN'],
          frictionTypes: ['tariff', 'anti_subsidy'],
          sectors: ['electric_vehicles', 'batteries'],
          stage: 'preliminary',
        }),
      }),
    );
    expect(opened).toMatchObject({
      basis: 'key',
      key: 'key:EU|CN|anti_subsidy|electric_vehicles|battery electric vehicle',
      product: 'battery electric vehicle',
      reference: null,
    });
    // The more specific friction type and the smallest sector, whatever order the classifier gave.
    expect(provisional?.key).toBe('key:EU|CN|anti_subsidy|batteries|battery electric vehicle');
  });

  it('falls back to an HS heading, then a subsector, then nothing for the product', () => {
    const base = { title: 'New measures announced', labels: labels({ hsCodes: ['8541.40', '8507'] }) };
    expect(linkCase(input(base))?.product).toBe('hs8507');
    expect(
      linkCase(input({ ...base, labels: labels({ subsectors: ['solar_pv/modules', 'solar_pv/cells'] }) }))
        ?.product,
    ).toBe('solar_pv/cells');
    expect(linkCase(input({ ...base, labels: labels({ actors: [], targets: [], sectors: [] }) }))?.key).toBe(
      'key:||anti_dumping||',
    );
  });

  it('is deterministic whatever the order of the labels', () => {
    const a = linkCase(
      input({
        labels: labels({ actors: ['US', 'CA'], targets: ['CN', 'VN'], sectors: ['solar_pv', 'batteries'] }),
      }),
    );
    const b = linkCase(
      input({
        labels: labels({ actors: ['CA', 'US'], targets: ['VN', 'CN'], sectors: ['batteries', 'solar_pv'] }),
      }),
    );
    expect(a).toEqual(b);
  });
});

describe('caseTitleFrom', () => {
  it('keeps the part before the colon when it says enough', () => {
    expect(caseTitleFrom('Certain Steel Nails From the Sultanate of Oman: Final Results')).toBe(
      'Certain Steel Nails From the Sultanate of Oman',
    );
    expect(caseTitleFrom('EU: duties on Chinese EVs')).toBe('EU: duties on Chinese EVs');
  });
});
