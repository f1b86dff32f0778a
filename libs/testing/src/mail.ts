import { simpleParser, ParsedMail } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';

/** A relay that keeps what it is sent (the outbound side of the email tests). */
export class CaptureSmtp {
  readonly mails: Array<{ raw: Buffer; parsed: ParsedMail; envelopeTo: string[] }> = [];
  private server?: SMTPServer;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const raw = Buffer.concat(chunks);
          this.mails.push({
            raw,
            parsed: await simpleParser(raw),
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  async waitFor(predicate: (m: ParsedMail) => boolean, ms = 20_000): Promise<ParsedMail> {
    const until = Date.now() + ms;
    for (;;) {
      const hit = this.mails.find((m) => predicate(m.parsed));
      if (hit) return hit.parsed;
      if (Date.now() > until)
        throw new Error(`No such mail; got: ${this.mails.map((m) => m.parsed.subject).join(' | ') || 'none'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Speaks SMTP to the project's inbound server. */
export async function sendRaw(port: number, from: string, to: string[], raw: Buffer | string): Promise<void> {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from, to }, raw });
  } finally {
    transport.close();
  }
}

/** Polls until `fn` returns something truthy. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > until) throw new Error('Timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
