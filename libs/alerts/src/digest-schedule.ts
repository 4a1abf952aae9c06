/**
 * When digests are due: at the subscriber's local send hour, every day (daily, and the overflow digest
 * of immediate subscriptions) or on one weekday (weekly). Time zones through Intl, so daylight-saving
 * changes move the UTC instant, never the local hour. Pure.
 */
export interface DigestTiming {
  delivery: 'immediate' | 'daily' | 'weekly';
  timeZone: string;
  sendHour: number;
  /** 1 = Monday .. 7 = Sunday; weekly only. */
  sendWeekday: number;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(instant: Date, timeZone: string): LocalParts {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(
    format.formatToParts(instant).map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The UTC instant of a local wall-clock time (a time skipped by a DST change moves forward). */
export function zonedTime(
  local: { year: number; month: number; day: number; hour: number },
  timeZone: string,
): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour);
  let guess = wall - offsetAt(new Date(wall), timeZone);
  guess = wall - offsetAt(new Date(guess), timeZone);
  return new Date(guess);
}

/** The first send time strictly after `after`. */
export function nextDigestDue(after: Date, timing: DigestTiming): Date {
  const today = localParts(after, timing.timeZone);
  for (let offset = 0; offset <= 8; offset += 1) {
    // Calendar arithmetic on the local date, in UTC to stay clear of the process's zone.
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const weekday = ((date.getUTCDay() + 6) % 7) + 1;
    if (timing.delivery === 'weekly' && weekday !== timing.sendWeekday) continue;
    const candidate = zonedTime(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: timing.sendHour,
      },
      timing.timeZone,
    );
    if (candidate.getTime() > after.getTime()) return candidate;
  }
  throw new Error(`no send time found after ${after.toISOString()} in ${timing.timeZone}`);
}
