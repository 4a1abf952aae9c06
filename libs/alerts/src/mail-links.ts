import { signToken } from './unsubscribe-token';
import type { MailLinks } from './mail-composer';

export interface LinkSettings {
  publicBaseUrl: string;
  tokenSecret: string;
  unsubscribeMailto: string;
}

/** The links every mail of a subscription carries: one-click unsubscribe (https and mailto), manage. */
export function mailLinks(settings: LinkSettings, subscriptionId: string): MailLinks {
  const token = signToken(settings.tokenSecret, 'unsubscribe', subscriptionId);
  const base = settings.publicBaseUrl.replace(/\/+$/, '');
  const unsubscribeUrl = `${base}/v1/unsubscribe?token=${encodeURIComponent(token)}`;
  return {
    unsubscribeUrl,
    unsubscribeMailto: `mailto:${settings.unsubscribeMailto}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`,
    // The page behind the GET shows the subscription and offers the unsubscribe button.
    manageUrl: unsubscribeUrl,
  };
}

export function confirmUrl(settings: LinkSettings, subscriptionId: string): string {
  const token = signToken(settings.tokenSecret, 'confirm', subscriptionId);
  return `${settings.publicBaseUrl.replace(/\/+$/, '')}/v1/subscriptions/confirm?token=${encodeURIComponent(token)}`;
}

/** The domain of Message-IDs: the sender's. */
export function messageDomainOf(from: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'frictionwatch.local';
}
