import { datesInText, extractDeadlines, parseStatedDate } from './deadline-extraction';

const published = '2025-06-10T12:00:00.000Z';

describe('parseStatedDate', () => {
  it.each([
    ['July 15, 2025', '2025-07-15'],
    ['Jul. 15 2025', '2025-07-15'],
    ['1 January 2026', '2026-01-01'],
    ['1st of January 2026', '2026-01-01'],
    ['2026-03-31', '2026-03-31'],
    ['1er janvier 2026', '2026-01-01'],
    ['July 15', '2025-07-15'],
    ['March 1', '2026-03-01'],
    ['February 30, 2025', null],
    ['Smarch 3, 2025', null],
  ])('%s → %s', (text, day) => {
    expect(parseStatedDate(text, published)).toBe(day);
  });
});

describe('datesInText', () => {
  it.each([
    ['Comments must be received by July 15, 2025.', 'comments_close', '2025-07-15'],
    [
      'Written comments should be submitted on or before 5 p.m. Eastern Time on August 4, 2025.',
      'comments_close',
      '2025-08-04',
    ],
    [
      'Interested parties may submit written comments no later than 30 September 2025.',
      'comments_close',
      '2025-09-30',
    ],
    ['Comments are due by September 2, 2025.', 'comments_close', '2025-09-02'],
    ['The comment period closes on July 31, 2025.', 'comments_close', '2025-07-31'],
    ['The deadline for comments is 1 August 2025.', 'comments_close', '2025-08-01'],
    ['The duties are effective on 1 January 2026.', 'effective', '2026-01-01'],
    ['This rule is effective July 1, 2025.', 'effective', '2025-07-01'],
    ['DATES: Effective date: 2025-07-01.', 'effective', '2025-07-01'],
    ['The measures apply with effect from 5 July 2025.', 'effective', '2025-07-05'],
    ['The tariffs will take effect on August 1.', 'effective', '2025-08-01'],
    ['The Regulation shall enter into force on 30 October 2025.', 'effective', '2025-10-30'],
    ['Le règlement entre en vigueur le 1er janvier 2026.', 'effective', '2026-01-01'],
    ['自2025年1月1日起，对原产于美国的进口产品加征关税。', 'effective', '2025-01-01'],
    ['公开征求意见，意见反馈截止时间为2025年7月20日。', 'comments_close', '2025-07-20'],
  ])('%s', (text, kind, on) => {
    expect(datesInText(text, published)).toEqual([expect.objectContaining({ kind, on, source: 'text' })]);
  });

  it('finds nothing in text without a stated date', () => {
    expect(datesInText('These are effective measures against dumping.', published)).toEqual([]);
    expect(datesInText('Comments must be received within 30 days of publication.', published)).toEqual([]);
  });

  it('finds both kinds in one text, in order', () => {
    const text =
      'The interim rule is effective June 15, 2025. Comments must be received by August 14, 2025, to be considered.';
    expect(datesInText(text, published).map((d) => [d.kind, d.on])).toEqual([
      ['effective', '2025-06-15'],
      ['comments_close', '2025-08-14'],
    ]);
  });
});

describe('extractDeadlines', () => {
  it('reads the structured fields, prefers them over the same date in the text, and keeps other text dates', () => {
    const deadlines = extractDeadlines({
      title: 'Request for Comments on Section 232 Investigation of Polysilicon',
      summary: 'Comments must be received by August 4, 2025. The duties take effect on 1 October 2025.',
      extra: { commentsCloseOn: '2025-08-04', effectiveOn: '2025-07-01', documentNumber: '2025-13000' },
      publishedAt: published,
    });
    expect(deadlines).toEqual([
      { kind: 'comments_close', on: '2025-08-04', source: 'field', evidence: 'commentsCloseOn' },
      { kind: 'effective', on: '2025-07-01', source: 'field', evidence: 'effectiveOn' },
      expect.objectContaining({ kind: 'effective', on: '2025-10-01', source: 'text' }),
    ]);
  });

  it('ignores malformed structured fields', () => {
    expect(
      extractDeadlines({
        title: 't',
        summary: 's',
        extra: { commentsCloseOn: 'soon', effectiveOn: null },
        publishedAt: published,
      }),
    ).toEqual([]);
  });
});
