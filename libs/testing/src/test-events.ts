import { z } from 'zod';
import { EventRegistry } from '@frictionwatch/event-store';

/** Small event types for the event store's own tests. */
export const TestEventSchemas = {
  Counted: z.object({ n: z.number().int(), writer: z.number().int().optional() }),
  Noted: z.object({ text: z.string() }),
};

export function testEventRegistry(): EventRegistry {
  return new EventRegistry().register(
    { type: 'Counted', schemaVersion: 1, schema: TestEventSchemas.Counted },
    { type: 'Noted', schemaVersion: 1, schema: TestEventSchemas.Noted },
  );
}
