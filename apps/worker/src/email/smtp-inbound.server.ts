import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SMTPServer, SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { ChannelsService, EmailIngestService, Recipient } from '@crewdesk/channels';
import { Env } from '@crewdesk/config';
import { EmailInboundProcessor } from './email.processors';

interface SessionState {
  recipients: Recipient[];
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/**
 * Inbound SMTP for the workspaces' mailboxes: unknown recipients get 550 at RCPT, oversized mail 552 at DATA,
 * and 250 only once the raw message is committed to PostgreSQL (a database failure answers 451: the sender retries).
 */
@Injectable()
export class SmtpInboundServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SmtpInboundServer.name);
  private server?: SMTPServer;
  port?: number;

  constructor(
    private readonly env: Env,
    private readonly channels: ChannelsService,
    private readonly ingest: EmailIngestService,
    private readonly inbound: EmailInboundProcessor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const state = new WeakMap<SMTPServerSession, SessionState>();
    this.server = new SMTPServer({
      name: 'crewdesk',
      banner: 'Crewdesk inbound mail',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: this.env.MAX_EMAIL_BYTES,
      logger: false,
      // Each MAIL FROM starts a new transaction: recipients of an earlier mail on the same connection never carry over.
      onMailFrom: (_address, session, callback) => {
        state.set(session, { recipients: [] });
        callback();
      },
      onRcptTo: (address: SMTPServerAddress, session, callback) => {
        this.channels
          .recipient(address.address)
          .then((recipient) => {
            if (!recipient) return callback(smtpError(550, `No mailbox here for ${address.address}`));
            const s = state.get(session) ?? { recipients: [] };
            s.recipients.push(recipient);
            state.set(session, s);
            callback();
          })
          .catch((err) => {
            this.logger.error({ err }, 'Recipient lookup failed');
            callback(smtpError(451, 'Temporary failure, try again later'));
          });
      },
      onData: (stream: SMTPServerDataStream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (stream.sizeExceeded)
            return callback(smtpError(552, `Message larger than ${this.env.MAX_EMAIL_BYTES} bytes`));
          const recipients = state.get(session)?.recipients ?? [];
          state.set(session, { recipients: [] });
          this.accept(Buffer.concat(chunks), session, recipients).then(
            () => callback(null, 'Queued'),
            (err) => {
              this.logger.error({ err }, 'Could not store inbound mail');
              callback(smtpError(451, 'Temporary failure, try again later'));
            },
          );
        });
      },
      onClose: (session) => state.delete(session),
    });
    this.server.on('error', (err) => this.logger.warn({ err }, 'SMTP server error'));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.env.SMTP_INBOUND_PORT, this.env.SMTP_INBOUND_HOST, () => resolve());
    });
    this.port = (this.server.server.address() as { port: number }).port;
    this.logger.log(`Inbound SMTP listening on ${this.env.SMTP_INBOUND_HOST}:${this.port}`);
  }

  /** One stored copy per workspace mailbox it was sent to; committed before the 250. */
  private async accept(raw: Buffer, session: SMTPServerSession, recipients: Recipient[]): Promise<void> {
    const byChannel = new Map<string, Recipient[]>();
    for (const r of recipients)
      byChannel.set(`${r.tenantId}/${r.channelId}`, [...(byChannel.get(`${r.tenantId}/${r.channelId}`) ?? []), r]);
    const stored: Array<{ tenantId: string; id: string }> = [];
    for (const group of byChannel.values()) {
      const id = await this.ingest.store({
        tenantId: group[0].tenantId,
        channelId: group[0].channelId,
        source: 'smtp',
        envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : null,
        envelopeTo: group.map((r) => r.address),
        raw,
      });
      stored.push({ tenantId: group[0].tenantId, id });
    }
    // Processed by this process once in line (the 250 waits while the line is full): the mail is safe, and one that
    // neither this process nor the queue (Redis down) takes is queued again by the reconciler.
    for (const s of stored) await this.inbound.processSoon({ tenantId: s.tenantId, inboundId: s.id }, raw.length);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
