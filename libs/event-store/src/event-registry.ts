import type { z } from 'zod';
import { MalformedEventError, UnknownEventTypeError } from './event-store.errors';

/** How an event type's payload looks now, and how older schema versions become the current one. */
export interface EventDefinition<TData = unknown> {
  type: string;
  schemaVersion: number;
  schema: z.ZodType<TData>;
  /** upcasters[n] turns a payload of schema version n into version n + 1. */
  upcasters?: Record<number, (data: unknown) => unknown>;
}

/** Every event type the store may hold. Unknown or malformed events are errors, never skipped. */
export class EventRegistry {
  private readonly definitions = new Map<string, EventDefinition>();

  register(...definitions: EventDefinition[]): this {
    for (const definition of definitions) {
      if (this.definitions.has(definition.type)) {
        throw new Error(`Event type ${definition.type} is registered twice`);
      }
      this.definitions.set(definition.type, definition);
    }
    return this;
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  definition(type: string): EventDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new UnknownEventTypeError(`Unknown event type "${type}": it is not registered`);
    return definition;
  }

  /** Checks a payload before it is written; returns the current schema version. */
  validateForWrite(type: string, data: unknown): number {
    const definition = this.definition(type);
    const result = definition.schema.safeParse(data);
    if (!result.success) {
      throw new MalformedEventError(
        `Event ${type} does not match its schema: ${result.error.issues[0]?.message}`,
      );
    }
    return definition.schemaVersion;
  }

  /** Brings a stored payload up to the current schema version and checks it. */
  decode(type: string, schemaVersion: number, data: unknown, where: string): unknown {
    const definition = this.definition(type);
    let payload = data;
    for (let version = schemaVersion; version < definition.schemaVersion; version += 1) {
      const upcast = definition.upcasters?.[version];
      if (!upcast) {
        throw new MalformedEventError(`${where}: no upcaster for ${type} from schema version ${version}`);
      }
      payload = upcast(payload);
    }
    if (schemaVersion > definition.schemaVersion) {
      throw new MalformedEventError(
        `${where}: ${type} has schema version ${schemaVersion}, newer than this code knows (${definition.schemaVersion})`,
      );
    }
    const result = definition.schema.safeParse(payload);
    if (!result.success) {
      throw new MalformedEventError(
        `${where}: ${type} does not match its schema: ${result.error.issues[0]?.message}`,
      );
    }
    return result.data;
  }
}
