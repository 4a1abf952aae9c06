import { generateKeyPairSync } from 'node:crypto';
import { rawHeader, SmtpSink } from '@frictionwatch/testing';
import { SmtpMailer } from './smtp-mailer';

/** nodemailer against a real SMTP server on loopback: replies classified, DKIM signs the List-* headers. */
describe('SmtpMailer', () => {
  const sink = new SmtpSink();
  const mail = {
    from: 'frictionwatch <alerts@example.org>',
    to: 'team@example.org',
    subject: 'Subject',
    text: 'text',
    html: '<p>html</p>',
    messageId: '<alrt_1@example.org>',
    headers: {
      'List-Unsubscribe': '<https://fw.example.org/v1/unsubscribe?token=t>, <mailto:u@example.org?subject=t>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };

  beforeAll(() => sink.start());
  afterAll(() => sink.stop());
  beforeEach(() => {
    sink.mails.length = 0;
    sink.accept();
  });

  it('sends with the exact RFC 8058 headers and the given Message-ID', async () => {
    const mailer = new SmtpMailer(sink.url);
    expect(await mailer.send(mail)).toMatchObject({ ok: true });
    mailer.close();
    const [received] = sink.mails;
    expect(rawHeader(received.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(rawHeader(received.raw, 'List-Unsubscribe')).toBe(mail.headers['List-Unsubscribe']);
    expect(received.parsed.messageId).toBe('<alrt_1@example.org>');
  });

  it('signs the List-Unsubscribe headers when DKIM is configured', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mailer = new SmtpMailer(sink.url, {
      dkim: {
        domainName: 'example.org',
        keySelector: 'fw',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    expect(await mailer.send(mail)).toMatchObject({ ok: true });
    mailer.close();
    const signature = String(rawHeader(sink.mails[0].raw, 'DKIM-Signature'));
    const signed = /\bh=([^;]+)/.exec(signature)![1].replace(/\s+/g, '').toLowerCase().split(':');
    expect(signed).toEqual(
      expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'subject', 'from']),
    );
  });

  it('tells a permanent rejection from a temporary one and from a dead server, without credentials', async () => {
    sink.reject(550, 'no such user');
    const mailer = new SmtpMailer(sink.url);
    expect(await mailer.send(mail)).toMatchObject({ ok: false, permanent: true, responseCode: 550 });
    sink.reject(451, 'try again later');
    expect(await mailer.send(mail)).toMatchObject({ ok: false, permanent: false, responseCode: 451 });
    mailer.close();

    const dead = new SmtpMailer('smtp://user:s3cr3t-pass@127.0.0.1:1/?ignoreTLS=true', { timeoutMs: 2000 });
    const outcome = await dead.send(mail);
    dead.close();
    expect(outcome).toMatchObject({ ok: false, permanent: false, responseCode: null });
    expect(JSON.stringify(outcome)).not.toContain('s3cr3t-pass');
  });
});
