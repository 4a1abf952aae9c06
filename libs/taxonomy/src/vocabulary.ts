/**
 * The public vocabulary (../shared/vocabulary.md): identifiers every classification speaks in.
 * A contract with dashboards and with the evaluation: never rename them.
 */
export const SECTOR_IDS = [
  'electric_vehicles',
  'batteries',
  'solar_pv',
  'wind_power',
  'hydrogen',
  'nuclear',
  'semiconductors',
  'artificial_intelligence',
  'quantum',
  'telecommunications',
  'digital_economy',
  'critical_minerals',
  'new_materials',
  'biotech',
  'aerospace',
  'robotics',
  'advanced_equipment',
  'marine_equipment',
  'display',
  'brain_computer_interfaces',
  'traditional_industries',
] as const;
export type SectorId = (typeof SECTOR_IDS)[number];

export const FRICTION_TYPE_IDS = [
  'tariff',
  'anti_dumping',
  'anti_subsidy',
  'safeguard',
  'export_control',
  'investment_restriction',
  'security_restriction',
  'wto_dispute',
] as const;
export type FrictionTypeId = (typeof FRICTION_TYPE_IDS)[number];

export const STAGE_IDS = [
  'proposed',
  'investigation_opened',
  'preliminary',
  'final',
  'review',
  'removed',
] as const;
export type StageId = (typeof STAGE_IDS)[number];

/** ISO 3166-1 alpha-2 code, or `EU` for the European Union and its institutions. */
export type JurisdictionCode = string;

export function isSectorId(value: string): value is SectorId {
  return (SECTOR_IDS as readonly string[]).includes(value);
}
export function isFrictionTypeId(value: string): value is FrictionTypeId {
  return (FRICTION_TYPE_IDS as readonly string[]).includes(value);
}
export function isStageId(value: string): value is StageId {
  return (STAGE_IDS as readonly string[]).includes(value);
}
