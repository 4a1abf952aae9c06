import { CLASSIFIER_VERSION, ItemClassifier, type ClassifiableItem, type Classification } from './index';

const classifier = new ItemClassifier();
const run = (title: string, rest: Omit<ClassifiableItem, 'title'> = {}): Classification =>
  classifier.classify({ title, ...rest });
const labels = (c: Classification) => ({
  friction: c.friction,
  frictionTypes: c.frictionTypes,
  sectors: c.sectors,
  actors: c.actors,
  targets: c.targets,
  stage: c.stage,
});

describe('ItemClassifier', () => {
  describe('removal and negation', () => {
    it.each([
      ['Commission decided not to impose anti-dumping duties on Chinese glass fibre', 'EU', ['CN']],
      ['China terminates anti-dumping investigation into Australian barley without measures', 'CN', ['AU']],
      ['US lifts tariffs on Canadian steel and aluminium', 'US', ['CA']],
      ['EU suspends countervailing duties on Chinese solar panels', 'EU', ['CN']],
      ['Washington lets Section 301 tariff exclusions on Chinese medical equipment expire', 'US', ['CN']],
    ])('%s → removed', (title, actor, targets) => {
      const c = run(title);
      expect(c.friction).toBe(true);
      expect(c.stage).toBe('removed');
      expect(c.actors).toEqual([actor]);
      expect(c.targets).toEqual(targets);
    });
  });

  describe('actor versus target', () => {
    it('China launches probe into EU pork: CN acts, the EU is aimed at, pork is no sector', () => {
      expect(labels(run('China launches anti-dumping probe into EU pork'))).toEqual({
        friction: true,
        frictionTypes: ['anti_dumping'],
        sectors: [],
        actors: ['CN'],
        targets: ['EU'],
        stage: 'investigation_opened',
      });
    });

    it('EU launches probe into Chinese EVs: the EU acts, China is aimed at', () => {
      expect(labels(run('EU launches anti-subsidy probe into Chinese electric vehicles'))).toEqual({
        friction: true,
        frictionTypes: ['anti_subsidy'],
        sectors: ['electric_vehicles'],
        actors: ['EU'],
        targets: ['CN'],
        stage: 'investigation_opened',
      });
    });

    it.each([
      ['Canada imposes 100% surtax on Chinese-made electric vehicles', 'CA'],
      [
        "Turkey opens anti-dumping investigation on imports of solar panels originating in the People's Republic of China",
        'TR',
      ],
      ['India imposes anti-dumping duty on imports of aluminium foil from China', 'IN'],
    ])('%s', (title, actor) => {
      const c = run(title);
      expect(c.actors).toEqual([actor]);
      expect(c.targets).toEqual(['CN']);
    });

    it('reads lists of origins', () => {
      expect(
        run(
          'US initiates antidumping duty investigations on hardwood plywood from China, Vietnam and Indonesia',
        ).targets,
      ).toEqual(['CN', 'VN', 'ID']);
    });
  });

  describe('institutions stand for their jurisdiction', () => {
    it.each([
      ['Brussels slaps provisional duties on Chinese biodiesel', 'EU'],
      ['Commission imposes definitive anti-dumping duties on Chinese steel wheels', 'EU'],
      ['MOFCOM announces export controls on graphite items', 'CN'],
      ['BIS adds 12 Chinese entities to the Entity List', 'US'],
      ['USTR proposes Section 301 tariffs on Chinese legacy chips', 'US'],
      ['METI tightens export controls on chipmaking equipment', 'JP'],
      ['DGTR recommends anti-dumping duty on solar glass from China', 'IN'],
      ['Ottawa launches consultation on surtaxes for Chinese EVs', 'CA'],
      ['Washington hikes tariffs on Chinese semiconductors', 'US'],
    ])('%s → %s', (title, actor) => {
      const c = run(title);
      expect(c.friction).toBe(true);
      expect(c.actors).toEqual([actor]);
    });
  });

  describe('sector news without a measure is not a friction', () => {
    it.each([
      ['BYD opens its first European factory in Hungary'],
      ['Polysilicon prices drop to record low as capacity grows'],
      ['China announces new subsidies for EV buyers to boost demand'],
      ['Chinese EV sales in Europe surge despite tariffs'],
      ['CATL unveils a sodium-ion battery for passenger cars'],
    ])('%s', (title) => {
      const c = run(title);
      expect(c.friction).toBe(false);
      expect(c.frictionTypes).toEqual([]);
      expect(c.actors).toEqual([]);
      expect(c.targets).toEqual([]);
      expect(c.stage).toBeNull();
      expect(c.severity).toBe(0);
      expect(c.sectors.length).toBeGreaterThan(0);
    });
  });

  it('names several sectors in one item', () => {
    const c = run('US raises Section 301 tariffs on Chinese EVs, solar cells, batteries and semiconductors');
    expect(c.sectors).toEqual(['electric_vehicles', 'solar_pv', 'batteries', 'semiconductors']);
    expect(c.frictionTypes).toEqual(['tariff']);
  });

  it('reports children of the taxonomy as subsectors', () => {
    const c = run('China imposes export controls on gallium and germanium');
    expect(c.sectors).toEqual(['critical_minerals']);
    expect(c.subsectors).toEqual(['critical_minerals/gallium', 'critical_minerals/germanium']);
  });

  describe('Chinese-language items', () => {
    it('reads a MOFCOM initiation notice', () => {
      expect(
        labels(
          run('商务部公告2024年第21号 关于对原产于欧盟的进口相关白兰地进行反倾销立案调查的公告', {
            source: '商务部',
          }),
        ),
      ).toEqual({
        friction: true,
        frictionTypes: ['anti_dumping'],
        sectors: [],
        actors: ['CN'],
        targets: ['EU'],
        stage: 'investigation_opened',
      });
    });

    it('reads export controls and the final stage', () => {
      const c = run('商务部 海关总署公告 关于对锑相关物项实施出口管制的公告');
      expect(c.frictionTypes).toEqual(['export_control']);
      expect(c.sectors).toEqual(['critical_minerals']);
      expect(c.actors).toEqual(['CN']);
    });

    it('reads a termination', () => {
      expect(run('商务部决定终止对原产于澳大利亚的进口大麦反倾销调查').stage).toBe('removed');
    });
  });

  describe('official gazettes', () => {
    const fr = { source: 'Federal Register', jurisdictionHint: 'US' };
    it.each([
      [
        "Aluminum Lithographic Printing Plates From the People's Republic of China: Preliminary Affirmative Determination of Sales at Less Than Fair Value",
        ['anti_dumping'],
        'preliminary',
      ],
      [
        "Active Anode Material From the People's Republic of China: Initiation of Less-Than-Fair-Value Investigation",
        ['anti_dumping'],
        'investigation_opened',
      ],
      [
        "Crystalline Silicon Photovoltaic Cells From the People's Republic of China: Final Results of Expedited Sunset Review of the Countervailing Duty Order",
        ['anti_subsidy'],
        'review',
      ],
    ])('Federal Register: %s', (title, types, stage) => {
      const c = run(title, fr);
      expect(labels(c)).toMatchObject({
        friction: true,
        frictionTypes: types,
        actors: ['US'],
        targets: ['CN'],
        stage,
      });
    });

    it('EU OJ notice of initiation', () => {
      const c = run(
        "Notice of initiation of an anti-dumping proceeding concerning imports of tinplate originating in the People's Republic of China",
        { source: 'Official Journal of the European Union', jurisdictionHint: 'EU' },
      );
      expect(labels(c)).toMatchObject({
        friction: true,
        frictionTypes: ['anti_dumping'],
        actors: ['EU'],
        targets: ['CN'],
        stage: 'investigation_opened',
      });
    });

    it('EU OJ implementing regulation imposing a definitive duty', () => {
      const c = run(
        "Commission Implementing Regulation (EU) 2024/2754 imposing a definitive countervailing duty on imports of new battery electric vehicles designed for the transport of persons originating in the People's Republic of China",
      );
      expect(labels(c)).toMatchObject({
        friction: true,
        frictionTypes: ['anti_subsidy'],
        sectors: ['electric_vehicles'],
        actors: ['EU'],
        targets: ['CN'],
        stage: 'final',
      });
      expect(c.subsectors).toContain('electric_vehicles/bev');
      expect(c.caseRefs.map((r) => r.ref)).toContain('2024/2754');
    });
  });

  describe('publisher hints', () => {
    it('uses the jurisdiction hint for the actor when the text is silent', () => {
      const c = run('Additions to the Entity List', {
        summary: 'This rule adds 11 entities under the destination of China to the Entity List.',
        jurisdictionHint: 'US',
      });
      expect(c.actors).toEqual(['US']);
      expect(c.targets).toEqual(['CN']);
      expect(c.evidence).toContainEqual(
        expect.objectContaining({ label: 'actors', rule: 'role:actor:jurisdictionHint' }),
      );
    });

    it('reads the source name when there is no hint', () => {
      expect(
        run('Anti-dumping duties on steel wire rod from China extended for five years', { source: 'DGTR' })
          .actors,
      ).toEqual(['IN']);
    });

    it('prefers the text over the publisher', () => {
      expect(
        run('China imposes tariffs on US soybeans', { source: 'Reuters', jurisdictionHint: 'GB' }).actors,
      ).toEqual(['CN']);
    });
  });

  describe('output', () => {
    const c = run('EU imposes provisional duties of up to 37.6% on Chinese electric vehicles (AS689)', {
      id: 'item-1',
      summary: 'The duties on BEVs under CN code 8703 80 10 range from 17.4% to 37.6%.',
    });

    it('gives evidence for every label, with offsets into the field', () => {
      const item = { title: c.evidence.length ? undefined : '' };
      void item;
      for (const value of [...c.frictionTypes, ...c.sectors, ...c.actors, ...c.targets, c.stage]) {
        expect(c.evidence.some((e) => e.value === value)).toBe(true);
      }
      for (const e of c.evidence.filter((x) => x.field === 'title')) {
        expect(
          'EU imposes provisional duties of up to 37.6% on Chinese electric vehicles (AS689)'.slice(
            e.start,
            e.end,
          ),
        ).toBe(e.text);
      }
    });

    it('extracts case references, tariff codes and duty rates', () => {
      expect(c.caseRefs.map((r) => r.ref)).toEqual(['AS689']);
      expect(c.hsCodes).toEqual(['8703.80.10']);
      expect(c.dutyRates).toEqual(['37.6%', '17.4%']);
    });

    it('carries the id and both versions', () => {
      expect(c.id).toBe('item-1');
      expect(c.classifierVersion).toBe(CLASSIFIER_VERSION);
      expect(c.taxonomyVersion).toMatch(/^tx-[0-9a-f]{12}$/);
    });

    it('scores severity by measure, stage, sector and actor', () => {
      const definitive = run('EU imposes definitive countervailing duties on Chinese electric vehicles');
      const opened = run('EU opens anti-subsidy investigation into Chinese electric vehicles');
      const lifted = run('EU lifts countervailing duties on Chinese electric vehicles');
      expect(definitive.severity).toBeGreaterThan(opened.severity);
      expect(opened.severity).toBeGreaterThan(lifted.severity);
      expect(definitive.severity).toBeLessThanOrEqual(100);
    });

    it('is deterministic', () => {
      const again = new ItemClassifier().classify({
        id: 'item-1',
        title: 'EU imposes provisional duties of up to 37.6% on Chinese electric vehicles (AS689)',
        summary: 'The duties on BEVs under CN code 8703 80 10 range from 17.4% to 37.6%.',
      });
      expect(again).toEqual(c);
    });
  });
  describe('more readings', () => {
    it('reads a gazette title that names no measure by its convention', () => {
      const c = run('Mattresses From China; Determination', {
        source: 'Federal Register',
        jurisdictionHint: 'US',
      });
      expect(labels(c)).toMatchObject({
        friction: true,
        frictionTypes: ['anti_dumping'],
        actors: ['US'],
        targets: ['CN'],
      });
    });

    it('gives a generic institution ("the Commission") to the publisher', () => {
      const c = run('Certain Steel Racks From China; Institution of Five-Year Reviews', {
        summary:
          'The Commission hereby gives notice that it has instituted reviews of the antidumping duty order.',
        source: 'Federal Register',
        jurisdictionHint: 'US',
      });
      expect(c.actors).toEqual(['US']);
      expect(c.stage).toBe('review');
    });

    it('types generic measure words by their clause', () => {
      expect(run('Beijing halts exports of gallium to the United States').frictionTypes).toEqual([
        'export_control',
      ]);
      expect(run('Germany blocks Chinese takeover of chip equipment maker').frictionTypes).toEqual([
        'investment_restriction',
      ]);
      expect(run('Australia bans DeepSeek on government devices').frictionTypes).toEqual([
        'security_restriction',
      ]);
    });

    it('reads an anti-subsidy probe named by its subsidies', () => {
      const c = run('China launches probe into EU dairy subsidies');
      expect(labels(c)).toMatchObject({
        frictionTypes: ['anti_subsidy'],
        actors: ['CN'],
        targets: ['EU'],
        stage: 'investigation_opened',
      });
    });

    it('makes the complainant of a WTO dispute the actor', () => {
      expect(
        labels(run('Panel report on US tariffs on Chinese goods circulated in WTO dispute')),
      ).toMatchObject({
        frictionTypes: ['wto_dispute'],
        actors: ['CN'],
        targets: ['US'],
      });
      expect(labels(run('China files WTO complaint against Canadian surtaxes on EVs'))).toMatchObject({
        frictionTypes: ['wto_dispute'],
        actors: ['CN'],
        targets: ['CA'],
        stage: 'investigation_opened',
      });
    });

    it('lets both sides of a truce act', () => {
      const c = run('US and China agree 90-day tariff truce');
      expect(c.actors).toEqual(['US', 'CN']);
      expect(c.stage).toBe('removed');
    });

    it('treats a measure in a market story as background', () => {
      expect(run("China's rare earth exports plunge after export controls take effect").friction).toBe(false);
    });
  });
  describe('stage defaults and strengths', () => {
    it('takes a measure reported without a stage cue to be in force', () => {
      const c = run('Canadian surtax on Chinese electric vehicles');
      expect(c.stage).toBe('final');
      expect(c.evidence).toContainEqual(
        expect.objectContaining({ label: 'stage', rule: 'stage:final:default' }),
      );
    });

    it('leaves an EU import registration without a stage', () => {
      expect(
        run('Commission makes imports of Chinese battery electric vehicles subject to registration').stage,
      ).toBeNull();
    });

    it('lets a specific cue beat a generic verb', () => {
      expect(run('Commerce announces anti-dumping probe into Chinese graphite').stage).toBe(
        'investigation_opened',
      );
    });

    it('reads suspending imports as imposing a measure, suspending duties as removing one', () => {
      expect(run('China suspends imports of US soybeans over security concerns').stage).toBe('final');
      expect(run('US suspends additional tariffs on Chinese goods for 90 days').stage).toBe('removed');
    });

    it('gives a Section 232 duty on all imports no target from its summary', () => {
      const c = run('US raises Section 232 tariffs on steel and aluminium to 50%', {
        summary: 'Imports from China and the United Kingdom are covered.',
      });
      expect(c.targets).toEqual([]);
    });
  });
});
