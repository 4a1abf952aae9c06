import { z } from 'zod';

/** The shape of the seed files under seeds/ (YAML), validated when loaded. */

const termSchema = z.string().trim().min(1);

export const provenanceSchema = z.union([
  z.strictObject({ document: z.string().regex(/^\d{3}_[0-9a-f]{16}\.txt$/), phrase: z.string().min(3) }),
  z.strictObject({ implied: z.string().min(3) }),
]);

const nodeBase = {
  id: z.string().regex(/^[a-z][a-z0-9_]*(\/[a-z0-9_]+)*$/),
  label: z.string().min(1),
  parent: z.string().nullable(),
  description: z.string().min(1),
  terms: z.array(termSchema).default([]),
  weakTerms: z.array(termSchema).default([]),
  genericTerms: z.array(termSchema).default([]),
  provenance: z.array(provenanceSchema).min(1),
};

export const sectorNodeSchema = z.strictObject({
  ...nodeBase,
  kind: z.enum(['emerging', 'future', 'traditional']),
  weight: z.number().min(0).max(1).optional(),
});

export const frictionTypeNodeSchema = z.strictObject({
  ...nodeBase,
  severity: z.number().min(0).max(1).optional(),
});

export const stageNodeSchema = z.strictObject({
  ...nodeBase,
  precedence: z.number().int().min(1),
  severity: z.number().min(0).max(1),
});

export const sectorsFileSchema = z.strictObject({ nodes: z.array(sectorNodeSchema).min(1) });
export const frictionTypesFileSchema = z.strictObject({ nodes: z.array(frictionTypeNodeSchema).min(1) });
export const stagesFileSchema = z.strictObject({ nodes: z.array(stageNodeSchema).min(1) });

const termList = z.array(termSchema).default([]);
export const jurisdictionSchema = z.strictObject({
  code: z.string().regex(/^([A-Z]{2})$/),
  name: z.string().min(1).optional(),
  eu: z.boolean().optional(),
  names: z.array(termSchema).min(1),
  demonyms: termList,
  origins: termList,
  capitals: termList,
  institutions: termList,
  firms: termList,
});

export const jurisdictionsFileSchema = z.strictObject({
  blockers: termList,
  jurisdictions: z.array(jurisdictionSchema).min(1),
});

export type SectorNodeInput = z.infer<typeof sectorNodeSchema>;
export type FrictionTypeNodeInput = z.infer<typeof frictionTypeNodeSchema>;
export type StageNodeInput = z.infer<typeof stageNodeSchema>;
export type JurisdictionInput = z.infer<typeof jurisdictionSchema>;
