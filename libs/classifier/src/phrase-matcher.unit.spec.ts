import { PhraseMatcher } from './phrase-matcher';
import { normalizePhrase } from './text-normalizer';

const found = (terms: string[], text: string) =>
  new PhraseMatcher(terms)
    .scan(text)
    .map((m) => ({ term: terms[m.phrase], text: text.slice(m.start, m.end) }));

describe('PhraseMatcher', () => {
  it('finds every phrase in one pass, overlapping ones included, in order of their end', () => {
    expect(
      found(['battery', 'battery electric vehicle', 'electric vehicle'], 'new battery electric vehicles'),
    ).toEqual([
      { term: 'battery', text: 'battery' },
      { term: 'battery electric vehicle', text: 'battery electric vehicles' },
      { term: 'electric vehicle', text: 'electric vehicles' },
    ]);
  });

  it('checks word boundaries and accepts a plural s', () => {
    expect(found(['EV'], 'EVs, levy, EV.')).toEqual([
      { term: 'EV', text: 'EVs' },
      { term: 'EV', text: 'EV' },
    ]);
    expect(found(['tariff'], 'tariffs tariffed')).toEqual([{ term: 'tariff', text: 'tariffs' }]);
  });

  it('reads hyphens, dashes and runs of spaces as one space, ignores case and curly quotes', () => {
    expect(
      found(
        ['anti dumping', "people's republic"],
        'ANTI-DUMPING, anti–dumping, anti \n dumping; People’s Republic',
      ),
    ).toEqual([
      { term: 'anti dumping', text: 'ANTI-DUMPING' },
      { term: 'anti dumping', text: 'anti–dumping' },
      { term: 'anti dumping', text: 'anti \n dumping' },
      { term: "people's republic", text: 'People’s Republic' },
    ]);
  });

  it('matches "=" terms case-sensitively and "*" terms as prefixes', () => {
    expect(found(['=US'], 'the US told us')).toEqual([{ term: '=US', text: 'US' }]);
    expect(found(['semiconductor*'], 'semiconductors and semiconductor-grade')).toEqual([
      { term: 'semiconductor*', text: 'semiconductor' },
      { term: 'semiconductor*', text: 'semiconductor' },
    ]);
  });

  it('matches Chinese terms as substrings', () => {
    expect(found(['反倾销', '欧盟'], '关于对原产于欧盟的进口相关白兰地进行反倾销立案调查')).toEqual([
      { term: '欧盟', text: '欧盟' },
      { term: '反倾销', text: '反倾销' },
    ]);
  });

  it('normalises phrases the way it reads text', () => {
    expect(normalizePhrase('  Anti-Dumping   Duty ')).toBe('anti dumping duty');
  });
});
