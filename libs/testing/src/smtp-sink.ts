import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A header of a raw message as sent (unfolded), or null. */
export function rawHeader(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}

/** The header section of a raw message. */
export function rawHead(raw: string): string {
  return raw.split(/\r?\n\r?\n/)[0];
}

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
}

/**
 * A real SMTP server in-process (the `smtp-server` package) on a loopback port: it records every
 * accepted message. `reject` makes it answer the next messages with an SMTP error; `stop` and
 * `start` take it down and bring it back on the same port.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | null = null;
  private rejection: { code: number; message: string } | null = null;
  /** Called after a message was accepted (its 250 is on the way): fault injection. */
  onAccepted: ((mail: ReceivedMail) => void) | null = null;
  /** Awaited when a message has arrived, before the server answers: `drop` refuses it (fault injection). */
  beforeAccept: ((raw: string) => Promise<'accept' | 'drop'>) | null = null;
  port = 0;
  /** The user names that logged in (with `credentials`). */
  readonly logins: string[] = [];

  /**
   * `credentials`: the server offers AUTH (in clear, on loopback) and accepts only these.
   * `closeTimeoutMs`: how long `stop` lets open connections finish before it answers them 421 and
   * closes them (smtp-server's default, 30 s, lets a pooled client keep sending through an "outage").
   */
  constructor(
    private readonly options: {
      credentials?: { user: string; password: string };
      closeTimeoutMs?: number;
    } = {},
  ) {}

  async start(port = this.port): Promise<this> {
    const credentials = this.options.credentials;
    const server = new SMTPServer({
      ...(this.options.closeTimeoutMs ? { closeTimeout: this.options.closeTimeoutMs } : {}),
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      ...(credentials
        ? {
            allowInsecureAuth: true,
            onAuth: (auth, _session, callback) => {
              if (auth.username !== credentials.user || auth.password !== credentials.password)
                return callback(new Error('Invalid username or password'));
              this.logins.push(auth.username ?? '');
              callback(null, { user: auth.username });
            },
          }
        : {}),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.rejection) {
            const error = Object.assign(new Error(this.rejection.message), {
              responseCode: this.rejection.code,
            });
            callback(error);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          void (this.beforeAccept ? this.beforeAccept(raw) : Promise.resolve('accept' as const)).then(
            async (verdict) => {
              if (verdict === 'drop') {
                callback(Object.assign(new Error('dropped'), { responseCode: 451 }));
                return;
              }
              const parsed = await simpleParser(raw);
              const mail: ReceivedMail = {
                raw,
                parsed,
                envelope: {
                  from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                  to: session.envelope.rcptTo.map((r) => r.address),
                },
              };
              this.mails.push(mail);
              callback();
              this.onAccepted?.(mail);
            },
          );
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}?ignoreTLS=true`;
  }

  reject(code: number, message: string): void {
    this.rejection = { code, message };
  }

  accept(): void {
    this.rejection = null;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async waitFor(count: number, timeoutMs = 20000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.mails.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} mail(s), got ${this.mails.length}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.mails;
  }
}
