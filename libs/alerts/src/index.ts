export * from './alert.events';
export { matchSubscription, type MatchableItem, type MatchResult } from './subscription-matching';
export { nextDigestDue, zonedTime, type DigestTiming } from './digest-schedule';
export { signToken, verifyToken, type TokenPurpose } from './unsubscribe-token';
export {
  composeAlertMail,
  composeDigestMail,
  headerSafe,
  escapeHtml,
  type ComposedMail,
  type MailLinks,
} from './mail-composer';
export { mailLinks, confirmUrl, type LinkSettings } from './mail-links';
export { SmtpMailer, type SendOutcome, type DkimSettings } from './smtp-mailer';
export { evolveSubscription, type SubscriptionState, type SubscriptionStatus } from './subscription-state';
export { subscriptionsProjection, type SubscriptionsTables } from './subscriptions.projection';
export { SubscriptionCommands, SubscriptionNotFoundError } from './subscription-commands';
export { alertMatcher, type AlertMatcherTables } from './alert-matcher.reactor';
export { alertDispatch, type AlertDispatchTables } from './alert-dispatch.reactor';
export { alertsProjection, type AlertsTables, type AlertStatus } from './alerts.projection';
export {
  AlertMailService,
  DIGEST_MAX_ALERTS,
  type MailJobContext,
  type AlertMailSettings,
} from './alert-mail.service';
export { AlertScheduler } from './alert-scheduler';
export { vocabularyLabels } from './vocabulary-labels';
