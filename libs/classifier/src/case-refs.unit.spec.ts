import { parseCaseRefs } from './case-refs';

const refs = (text: string) => parseCaseRefs(text).map(({ kind, ref, measure }) => ({ kind, ref, measure }));

describe('parseCaseRefs', () => {
  it('reads US Commerce case numbers, anti-dumping (A-) and countervailing (C-)', () => {
    expect(refs('Case numbers A-570-123 and C-570-124.')).toEqual([
      { kind: 'us_commerce', ref: 'A-570-123', measure: 'anti_dumping' },
      { kind: 'us_commerce', ref: 'C-570-124', measure: 'anti_subsidy' },
    ]);
    expect(refs('A-570-1234')).toEqual([{ kind: 'us_commerce', ref: 'A-570-1234', measure: 'anti_dumping' }]);
  });

  it('reads USITC investigation numbers, with ranges', () => {
    expect(refs('Investigation Nos. 701-TA-722-725 and 731-TA-1690')).toEqual([
      { kind: 'usitc', ref: '701-TA-722-725', measure: 'anti_subsidy' },
      { kind: 'usitc', ref: '731-TA-1690', measure: 'anti_dumping' },
    ]);
    expect(refs('Inv. No. TA-201-75 and 337-TA-1380')).toEqual([
      { kind: 'usitc', ref: 'TA-201-75', measure: 'safeguard' },
      { kind: 'usitc', ref: '337-TA-1380', measure: undefined },
    ]);
  });

  it('reads EU trade defence case numbers', () => {
    expect(refs('Cases AS689, AD710 and R787')).toEqual([
      { kind: 'eu_case', ref: 'AS689', measure: 'anti_subsidy' },
      { kind: 'eu_case', ref: 'AD710', measure: 'anti_dumping' },
      { kind: 'eu_case', ref: 'R787', measure: undefined },
    ]);
  });

  it('reads EU regulation numbers', () => {
    expect(
      refs('Commission Implementing Regulation (EU) 2024/1866 amending Regulation (EU) No 1238/2013'),
    ).toEqual([
      { kind: 'eu_regulation', ref: '2024/1866', measure: undefined },
      { kind: 'eu_regulation', ref: '1238/2013', measure: undefined },
    ]);
  });

  it('reads WTO dispute numbers', () => {
    expect(refs('DS623, and WT/DS543/R')).toEqual([
      { kind: 'wto', ref: 'DS623', measure: undefined },
      { kind: 'wto', ref: 'DS543', measure: undefined },
    ]);
  });

  it('reads Federal Register document numbers and citations', () => {
    expect(refs('[FR Doc. 2024-12345 Filed 6-5-24] 89 FR 48562; see also 2023-09876.')).toEqual([
      { kind: 'fr_document', ref: '2024-12345', measure: undefined },
      { kind: 'fr_citation', ref: '89 FR 48562', measure: undefined },
      { kind: 'fr_document', ref: '2023-09876', measure: undefined },
    ]);
  });

  it('reads MOFCOM announcement numbers', () => {
    expect(refs('商务部公告2024年第31号')).toEqual([{ kind: 'mofcom', ref: '2024/31', measure: undefined }]);
  });

  it('gives offsets into the text and lists each reference once', () => {
    const text = 'AD710 … AD710';
    const found = parseCaseRefs(text);
    expect(found).toHaveLength(1);
    expect(text.slice(found[0].start, found[0].end)).toBe('AD710');
  });

  it('ignores look-alikes', () => {
    expect(refs('In 2024-2025, sales rose; model RAV4 and ADR500; phone 555-1234; HS 8703.80')).toEqual([]);
  });
});
