export type {
  HtmlMapping,
  JsonMapping,
  NormalisedItem,
  NormalisedParseResult,
  ParseResult,
  RawItem,
  SourceFormat,
  SourceKind,
} from './feed-parsing.types';
export { FeedParserPool } from './feed-parser.pool';
export type { FeedParserPoolOptions } from './feed-parser.pool';
export { parseFeedText } from './parse-feed-text';
export { normaliseItems } from './normalise-items';
export { canonicalUrl } from './canonical-url';
export { parsePublishedDate } from './published-date';
export { FEDERAL_REGISTER_MAPPING, GOV_UK_SEARCH_MAPPING } from './json-source';
