/** What stands in for a secret in a log line. */
export const REDACTED = '[redacted]';

// Patterns of secrets that may reach a message (an error naming a URL, a header echoed back): the
// password of any URL, bearer tokens, and our API keys' secret part.
const PATTERNS: [RegExp, string][] = [
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
  [/(bearer\s+)[^\s"',]+/gi, `$1${REDACTED}`],
  [/(basic\s+)[A-Za-z0-9+/=]{8,}/gi, `$1${REDACTED}`],
  [/\b(fw_[a-z0-9]{10}_)[A-Za-z0-9_-]{32,64}/g, `$1${REDACTED}`],
];

/**
 * The secrets of this process's settings (passwords of DATABASE_URL, REDIS_URL and SMTP_URL, signing
 * keys): any literal occurrence is replaced too, whatever the text around it.
 */
export function secretsOf(settings: Record<string, unknown>, keys: string[]): string[] {
  const secrets: string[] = [];
  for (const key of keys) {
    const value = settings[key];
    if (typeof value !== 'string' || !value) continue;
    try {
      const url = new URL(value);
      if (url.password) secrets.push(url.password, decodeURIComponent(url.password));
      continue;
    } catch {
      // not a URL: the whole value is the secret
    }
    secrets.push(value);
  }
  // Short values would blank out ordinary words: a secret shorter than 6 characters is left to the patterns.
  return [...new Set(secrets.filter((secret) => secret.length >= 6))];
}

/** A function that removes every secret from a text: known values first, then the patterns. */
export function createRedactor(secrets: string[]): (text: string) => string {
  const literal = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let result = text;
    for (const secret of literal) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
    return result;
  };
}
