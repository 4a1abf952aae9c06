import { loadTaxonomy } from '@frictionwatch/taxonomy';

/** Human labels of the vocabulary's ids, from the seed taxonomy (`solar_pv` → its label). */
export function vocabularyLabels(): (id: string) => string {
  const taxonomy = loadTaxonomy();
  const labels = new Map<string, string>();
  for (const node of [...taxonomy.sectors, ...taxonomy.frictionTypes, ...taxonomy.stages])
    labels.set(node.id, node.label);
  return (id) => labels.get(id) ?? id;
}
