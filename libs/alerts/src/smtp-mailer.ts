import { createTransport, type Transporter } from 'nodemailer';
import type { ComposedMail } from './mail-composer';

/** DKIM signing: the List-Unsubscribe headers are signed too (RFC 8058 asks for it). */
export interface DkimSettings {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export type SendOutcome =
  | { ok: true; response: string }
  | { ok: false; permanent: boolean; reply: string; responseCode: number | null };

/** What the SMTP server's reply or the connection error says, with any credentials of the URL removed. */
function describe(error: unknown, secrets: readonly string[]): string {
  const e = error as { response?: string; message?: string; code?: string };
  let text = e.response ?? e.message ?? String(error);
  if (e.code && !text.includes(e.code)) text = `${e.code}: ${text}`;
  for (const secret of secrets) if (secret) text = text.split(secret).join('***');
  return text.slice(0, 500);
}

/** Fields DKIM signs: nodemailer's defaults do not name the List-* headers. */
const DKIM_FIELDS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:' +
  'Content-Transfer-Encoding:List-Unsubscribe:List-Unsubscribe-Post';

/**
 * nodemailer over SMTP (pooled). It never retries: a failed send is reported as temporary or
 * permanent, and retries are the queue's (attempts with backoff; permanent rejections stop them).
 */
export class SmtpMailer {
  private readonly transport: Transporter;
  private readonly secrets: string[];

  constructor(smtpUrl: string, options: { dkim?: DkimSettings | null; timeoutMs?: number } = {}) {
    const url = new URL(smtpUrl);
    this.secrets = [decodeURIComponent(url.password), url.password].filter(Boolean);
    const timeout = options.timeoutMs ?? 30000;
    this.transport = createTransport({
      pool: true,
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      // Local sinks (Mailpit, tests) offer no certificate worth checking; real relays use smtps:.
      ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      maxConnections: Number(url.searchParams.get('maxConnections') ?? 3),
      ...(options.dkim ? { dkim: { ...options.dkim, headerFieldNames: DKIM_FIELDS } } : {}),
    });
  }

  private readonly outcomeListeners: ((outcome: SendOutcome) => void)[] = [];

  /** Tells `listener` the outcome of every send (metrics). */
  onOutcome(listener: (outcome: SendOutcome) => void): void {
    this.outcomeListeners.push(listener);
  }

  async send(mail: ComposedMail): Promise<SendOutcome> {
    const outcome = await this.attempt(mail);
    for (const listener of this.outcomeListeners) listener(outcome);
    return outcome;
  }

  private async attempt(mail: ComposedMail): Promise<SendOutcome> {
    try {
      const info = await this.transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        // Not nodemailer's `list` option: it wraps values as URLs; RFC 8058 wants these exact values.
        headers: mail.headers,
        disableUrlAccess: true,
        disableFileAccess: true,
      });
      const rejected = (info as { rejected?: unknown[] }).rejected ?? [];
      if (rejected.length)
        return { ok: false, permanent: true, reply: `recipient rejected`, responseCode: null };
      return { ok: true, response: String((info as { response?: string }).response ?? 'accepted') };
    } catch (error) {
      const e = error as { responseCode?: number; permanent?: boolean };
      const code = typeof e.responseCode === 'number' ? e.responseCode : null;
      const permanent = e.permanent ?? (code !== null && code >= 500 && code < 600 && code !== 503);
      return { ok: false, permanent, reply: describe(error, this.secrets), responseCode: code };
    }
  }

  close(): void {
    this.transport.close();
  }
}
