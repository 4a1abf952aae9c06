import { parseHsCodes, parseRates } from './trade-figures';

describe('parseHsCodes', () => {
  it('reads dotted HS and HTSUS codes anywhere', () => {
    expect(parseHsCodes('subheadings 8541.43.0010 and 8703.80 cover them')).toEqual([
      '8541.43.0010',
      '8703.80',
    ]);
  });

  it('reads undotted and spaced codes after a tariff keyword', () => {
    expect(parseHsCodes('falling under CN codes ex 8703 80 10 and ex 850760')).toEqual([
      '8703.80.10',
      '8507.60',
    ]);
    expect(parseHsCodes('currently falling under CN code 8703 80 10')).toEqual(['8703.80.10']);
    expect(parseHsCodes('HS 850760')).toEqual(['8507.60']);
  });

  it('ignores prices and years', () => {
    expect(parseHsCodes('priced at $1234.56 in 2024, HS code 2024')).toEqual([]);
  });
});

describe('parseRates', () => {
  it('reads percentages in canonical form', () => {
    expect(parseRates('duties of 17.4 %, 100 percent and 35,3 per cent').map((r) => r.rate)).toEqual([
      '17.4%',
      '100%',
      '35.3%',
    ]);
  });
});
