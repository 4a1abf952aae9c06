// The texts of the benches' generated items: trade measures against China by five actors on five
// topics, so that the classifier finds real labels in them.

const TOPICS = [
  ['anti-dumping duties on crystalline silicon photovoltaic cells', 'solar'],
  ['export controls on advanced computing semiconductors', 'chips'],
  ['countervailing duties on battery electric vehicles', 'ev'],
  ['export licence requirements for gallium and germanium', 'minerals'],
  ['tariff increases on lithium-ion batteries under Section 301', 'batteries'],
] as const;
const ACTORS = [
  'The European Commission',
  'The U.S. Department of Commerce',
  'Canada',
  'MOFCOM',
  'The United Kingdom',
] as const;

/** Every combination of topic and actor: their count. */
export const BENCH_TEXT_VARIANTS = TOPICS.length * ACTORS.length;

/** The item text of a topic and an actor (indices taken modulo their counts), marked with `label`. */
export function benchItemText(
  topic: number,
  actor: number,
  label: string,
): { title: string; summary: string; slug: string } {
  const [subject, slug] = TOPICS[topic % TOPICS.length];
  const who = ACTORS[actor % ACTORS.length];
  return {
    title: `${who} announces ${subject} from China (${label})`,
    summary: `${who} published a notice on ${subject} originating in the People's Republic of China. Interested parties may comment within 30 days; the measure applies to imports of the product concerned and follows an investigation opened earlier this year. Case ${label}.`,
    slug,
  };
}
