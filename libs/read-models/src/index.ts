import type { AnyProjection } from '@frictionwatch/projections';
import { activityProjection } from './activity.projection';
import { casesProjection } from './cases.projection';
import { deadlinesProjection } from './deadlines.projection';
import { itemsProjection } from './items.projection';

export {
  itemsProjection,
  type ItemsTables,
  type ItemsRow,
  type ItemClassificationsRow,
} from './items.projection';
export {
  casesProjection,
  contributionOf,
  type CasesTables,
  type CasesRow,
  type CaseTimelineRow,
  type CaseItemsRow,
  type CaseLabelsRow,
} from './cases.projection';
export {
  activityProjection,
  activityCells,
  type ActivityTables,
  type ActivityRow,
  type ActivityLabels,
} from './activity.projection';
export { deadlinesProjection, type DeadlinesTables, type DeadlinesRow } from './deadlines.projection';
export {
  linkCase,
  caseIdFor,
  structuredRefs,
  productFromTitle,
  normaliseProduct,
  caseTitleFrom,
  CASE_NUMBER_KINDS,
  FRICTION_TYPE_PRIORITY,
  type CaseLink,
  type CaseLinkInput,
} from './case-linking';
export {
  extractDeadlines,
  datesInText,
  parseStatedDate,
  type Deadline,
  type DeadlineKind,
  type DeadlineSource,
} from './deadline-extraction';
export {
  readLabels,
  isoWeekStart,
  stageRank,
  STAGE_RANK,
  type ItemLabels,
  type LinkLabels,
} from './item-labels';

/** The read models dashboards poll (feed health is `feedsProjection` in `@frictionwatch/feeds`). */
export const READ_MODEL_PROJECTIONS: readonly AnyProjection[] = [
  itemsProjection,
  casesProjection,
  activityProjection,
  deadlinesProjection,
];
