import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens for links in mails (RFC 8058 one-click unsubscribe, double opt-in confirmation):
 * `<purpose>.<subscription id>.<HMAC-SHA256>`, base64url. Nothing is stored; a forged or altered token
 * fails the constant-time comparison.
 */
export type TokenPurpose = 'unsubscribe' | 'confirm';

function mac(secret: string, purpose: TokenPurpose, subscriptionId: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}:${subscriptionId}`).digest();
}

export function signToken(secret: string, purpose: TokenPurpose, subscriptionId: string): string {
  return `${purpose}.${subscriptionId}.${mac(secret, purpose, subscriptionId).toString('base64url')}`;
}

/** The subscription id a valid token names, or null. */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string): string | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== purpose || !/^sub_[a-z0-9]{8,40}$/.test(parts[1])) return null;
  const given = Buffer.from(parts[2], 'base64url');
  const expected = mac(secret, purpose, parts[1]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return parts[1];
}
