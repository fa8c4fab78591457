import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message the test SMTP server accepted. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message (headers and MIME parts), quoted-printable soft breaks and escapes decoded. */
  raw: string;
  subject: string;
  messageId: string;
}

/** What the server answers a message: accept it, or refuse it at RCPT TO with this reply code. */
export type SmtpReply = 'accept' | 421 | 451 | 550 | 553;

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** Every RCPT TO the server saw, accepted or not: one per delivery attempt. */
  attempts: string[];
  /** Sets how the server answers the next attempts (a function of the attempt's number, from 1, per recipient). */
  reply(fn: (recipient: string, attempt: number) => SmtpReply): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the `smtp-server` package) on a free loopback port, no TLS and no
 * auth, that records what it receives and can defer (421, 451) or refuse (550, 553)
 * a recipient, as real servers do.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const attempts: string[] = [];
  let decide: (recipient: string, attempt: number) => SmtpReply = () => 'accept';
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      attempts.push(address.address);
      const reply = decide(address.address, attempts.filter((a) => a === address.address).length);
      if (reply === 'accept') return callback();
      const text =
        reply === 421
          ? 'Service not available, try again later'
          : reply === 451
            ? 'Greylisted, try again later'
            : 'No such user here';
      callback(Object.assign(new Error(`${text} <${address.address}>`), { responseCode: reply }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = decodeQuotedPrintable(Buffer.concat(chunks).toString('utf8'));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: /^Subject: (.*)$/im.exec(raw)?.[1] ?? '',
          messageId: /^Message-ID: (.*)$/im.exec(raw)?.[1] ?? '',
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts,
    reply(fn) {
      decide = fn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/(?:=[0-9A-F]{2})+/g, (run) => Buffer.from(run.replace(/=/g, ''), 'hex').toString('utf8'));
}
