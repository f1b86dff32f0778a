import { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'crypto';
import * as iconv from 'iconv-lite';
import { ImapFlow } from 'imapflow';
import request from 'supertest';
import { ChannelsService, EmailIngestService } from '@crewdesk/channels';
import { Env } from '@crewdesk/config';
import { REDIS, RedisKeys } from '@crewdesk/queue';
import { createTestApp, eventually, TestApp, WorkspaceSession } from '@crewdesk/testing';
import { startWorker } from '../../apps/worker/src/start';
import { ImapPoller } from '../../apps/worker/src/email/imap-poller.service';
import { EmailInboundProcessor } from '../../apps/worker/src/email/email.processors';
import { Dovecot } from '../support/dovecot';

/**
 * The worker's poller when the worker module registers it; otherwise one wired by hand from the worker's
 * providers (then started and stopped here), so this test holds either way.
 */
async function pollerOf(worker: INestApplicationContext): Promise<{ poller: ImapPoller; own: boolean }> {
  try {
    return { poller: worker.get(ImapPoller, { strict: false }), own: false };
  } catch {
    const poller = new ImapPoller(
      worker.get(Env),
      worker.get(ChannelsService),
      worker.get(EmailIngestService),
      worker.get(EmailInboundProcessor),
      worker.get(REDIS),
      worker.get(RedisKeys),
    );
    await poller.onApplicationBootstrap();
    return { poller, own: true };
  }
}

describe('email channel over IMAP (a real Dovecot)', () => {
  let dovecot: Dovecot;
  let t: TestApp;
  let ws: WorkspaceSession;
  let worker: INestApplicationContext | undefined;
  let current: { poller: ImapPoller; own: boolean } | undefined;
  let channelId: string;
  let address: string;
  const saved = { ...process.env };
  const run = randomBytes(4).toString('hex');

  const startPoller = async () => {
    worker = await startWorker();
    current = await pollerOf(worker);
    return current.poller;
  };
  const stopWorker = async () => {
    if (current?.own) await current.poller.stop();
    await worker?.close();
    worker = current = undefined;
  };

  /** Puts a message into the polled mailbox as another IMAP client would (APPEND); returns its UID. */
  const append = async (raw: Buffer, path = 'INBOX'): Promise<number> => {
    const client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await client.connect();
    try {
      if (path !== 'INBOX') await client.mailboxCreate(path).catch(() => undefined);
      const res = await client.append(path, raw);
      if (!res || !res.uid) throw new Error('APPEND gave no UID');
      return res.uid;
    } finally {
      await client.logout();
    }
  };
  const mail = (messageId: string, subject: string, body: Buffer, charset = 'utf-8') =>
    Buffer.concat([
      Buffer.from(
        [
          'From: "Wang Fang" <wang.fang@example.cn>',
          `To: ${address}`,
          `Subject: ${subject}`,
          `Message-ID: ${messageId}`,
          'Date: Mon, 23 Nov 2026 09:00:00 +0800',
          'MIME-Version: 1.0',
          `Content-Type: text/plain; charset=${charset}`,
          'Content-Transfer-Encoding: 8bit',
          '',
          '',
        ].join('\r\n'),
      ),
      body,
      Buffer.from('\r\n'),
    ]);

  const ticketsWithSubject = (subject: string) =>
    t.db.query(`SELECT id, subject, channel FROM tickets WHERE tenant_id = $1 AND subject = $2`, [
      ws.workspace.id,
      subject,
    ]);
  const imapRows = (channel = channelId) =>
    t.db.query(
      `SELECT raw, status, source, envelope_to FROM inbound_emails WHERE tenant_id = $1 AND channel_id = $2 ORDER BY received_at`,
      [ws.workspace.id, channel],
    );
  const channelState = async (channel = channelId) =>
    (await t.db.query(`SELECT state FROM channels WHERE id = $1`, [channel]))[0].state;

  beforeAll(async () => {
    // Fails here, with how to install it, when dovecot is missing: never a silent skip.
    dovecot = await Dovecot.start();
    // A long poll interval: mail appended while the poller runs can only arrive in time through IDLE.
    process.env.IMAP_POLL_SECONDS = '300';
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
    address = `imap-${run}@mail.test`;
    const res = await request(t.http)
      .post('/api/v1/channels')
      .set(ws.admin.auth)
      .send({ type: 'email', address, imap: dovecot.imapSettings() })
      .expect(201);
    channelId = res.body.id;
    expect(res.body.imap).toMatchObject({ host: dovecot.host, port: dovecot.port, user: dovecot.user });
    expect(JSON.stringify(res.body)).not.toContain(dovecot.password);
  });

  afterAll(async () => {
    await stopWorker();
    await t?.close();
    await dovecot?.stop();
    process.env = saved;
  });

  it('turns mail placed in the polled mailbox into a ticket once, and fetches nothing again after a restart', async () => {
    const first = { id: `<imap-1-${run}@example.cn>`, subject: `Cannot log in ${run}` };
    const firstUid = await append(mail(first.id, first.subject, Buffer.from('My password reset link has expired.')));

    let poller = await startPoller();
    expect(poller.running).toBe(true);
    await eventually(async () => (await ticketsWithSubject(first.subject)).length > 0, 20_000);
    await eventually(async () => (await channelState()).lastUid === firstUid, 10_000);
    const afterFirst = await channelState();
    expect(afterFirst).toEqual({ uidValidity: expect.stringMatching(/^\d+$/), lastUid: firstUid });

    // A restart: a new worker, reading its state from the channels row.
    await stopWorker();
    expect(poller.running).toBe(false);
    poller = await startPoller();
    // Connected, caught up and idling before the next mail arrives.
    await eventually(async () => poller.status().find((s) => s.channelId === channelId)?.lastPollAt, 15_000);
    expect(await poller.pollOnce(channelId)).toBe(0);
    // The admin sees the same through the API (the worker's report), and nobody else does.
    const seen = await request(t.http).get(`/api/v1/channels/${channelId}`).set(ws.admin.auth).expect(200);
    expect(seen.body.imapStatus).toEqual({
      connected: true,
      lastPollAt: expect.any(String),
      lastError: null,
      at: expect.any(String),
    });
    const listed = await request(t.http).get('/api/v1/channels').set(ws.admin.auth).expect(200);
    expect(listed.body.items.find((c: { id: string }) => c.id === channelId).imapStatus.connected).toBe(true);
    const stranger = await WorkspaceSession.create(t);
    await request(t.http).get(`/api/v1/channels/${channelId}`).set(stranger.admin.auth).expect(404);
    expect((await request(t.http).get('/api/v1/channels').set(stranger.admin.auth).expect(200)).body.items).toEqual([]);

    // Chinese text in GBK, 8-bit: the stored bytes must be exactly the mailbox's bytes (a Buffer, never a string).
    const second = { id: `<imap-2-${run}@example.cn>`, subject: `Invoice title ${run}` };
    const secondRaw = mail(second.id, second.subject, iconv.encode('发票抬头写错了，请重开。', 'gbk'), 'GBK');
    const secondUid = await append(secondRaw);
    expect(secondUid).toBeGreaterThan(firstUid);
    // IMAP_POLL_SECONDS is 300: this arrives through IDLE.
    await eventually(async () => (await ticketsWithSubject(second.subject)).length > 0, 15_000);
    expect(await poller.pollOnce(channelId)).toBe(0);

    expect(await ticketsWithSubject(first.subject)).toHaveLength(1);
    const [ticket2] = await ticketsWithSubject(second.subject);
    expect(ticket2.channel).toBe('email');
    const [message2] = await t.db.query(`SELECT body_text FROM messages WHERE ticket_id = $1`, [ticket2.id]);
    expect(message2.body_text).toBe('发票抬头写错了，请重开。');

    // One stored copy per Message-ID: the first mail was not fetched again after the restart.
    const rows = await imapRows();
    expect(rows.map((r: any) => r.source)).toEqual(['imap', 'imap']);
    const withId = (id: string) => rows.filter((r: any) => (r.raw as Buffer).includes(`Message-ID: ${id}`));
    expect(withId(first.id)).toHaveLength(1);
    expect(withId(second.id)).toHaveLength(1);
    expect(Buffer.compare(withId(second.id)[0].raw, secondRaw)).toBe(0);
    expect(withId(second.id)[0].envelope_to).toEqual([address]);
    await eventually(async () => (await imapRows()).every((r: any) => r.status === 'processed'), 10_000);

    expect(await channelState()).toEqual({ uidValidity: afterFirst.uidValidity, lastUid: secondUid });
  });

  it('reads a mailbox again when its UIDVALIDITY changed, without a second ticket for a known Message-ID', async () => {
    const folder = `Reset${run}`;
    const known = { id: `<imap-3-${run}@example.cn>`, subject: `Printer jam ${run}` };
    const uid = await append(mail(known.id, known.subject, Buffer.from('Tray 2 jams.')), folder);
    // Without IMAP settings first, so no poller sees the channel before its state is set.
    const res = await request(t.http)
      .post('/api/v1/channels')
      .set(ws.admin.auth)
      .send({ type: 'email', address: `reset-${run}@mail.test` })
      .expect(201);
    const resetId: string = res.body.id;
    // What a poller remembered of the mailbox before the server renumbered it (a restore, a migration).
    await t.db.query(`UPDATE channels SET state = $2 WHERE id = $1`, [
      resetId,
      JSON.stringify({ uidValidity: '1', lastUid: 5000 }),
    ]);
    await request(t.http)
      .patch(`/api/v1/channels/${resetId}`)
      .set(ws.admin.auth)
      .send({ imap: dovecot.imapSettings(folder) })
      .expect(200);
    const poller = worker ? current!.poller : await startPoller();
    expect(await poller.pollOnce(resetId)).toBe(1);
    const state = await channelState(resetId);
    expect(state.uidValidity).not.toBe('1');
    expect(state.lastUid).toBe(uid);
    await eventually(async () => (await ticketsWithSubject(known.subject)).length === 1, 10_000);

    // The same mail again under a new UIDVALIDITY: stored (raw is kept), but ignored as a duplicate.
    await t.db.query(`UPDATE channels SET state = $2 WHERE id = $1`, [
      resetId,
      JSON.stringify({ uidValidity: '2', lastUid: uid }),
    ]);
    // Disabling the channel ends its session; enabling it starts a new one, which reads the state again.
    await request(t.http).patch(`/api/v1/channels/${resetId}`).set(ws.admin.auth).send({ enabled: false }).expect(200);
    await poller.refresh();
    expect(poller.status().map((s) => s.channelId)).not.toContain(resetId);
    await expect(poller.pollOnce(resetId)).rejects.toThrow(/No IMAP mailbox/);
    await request(t.http).patch(`/api/v1/channels/${resetId}`).set(ws.admin.auth).send({ enabled: true }).expect(200);
    expect(await poller.pollOnce(resetId)).toBe(1);
    await eventually(
      async () => (await imapRows(resetId)).filter((r: any) => r.status !== 'received').length === 2,
      10_000,
    );
    const rows = await imapRows(resetId);
    expect(rows.map((r: any) => r.status)).toEqual(['processed', 'ignored']);
    expect(await ticketsWithSubject(known.subject)).toHaveLength(1);
  });

  // Last: Dovecot slows down every login from an address that failed one (its auth penalty).
  it('reports a wrong password from pollOnce without stopping other mailboxes, and never echoes it', async () => {
    const res = await request(t.http)
      .post('/api/v1/channels')
      .set(ws.admin.auth)
      .send({ type: 'email', address: `wrong-${run}@mail.test`, imap: { ...dovecot.imapSettings(), password: 'nope' } })
      .expect(201);
    const poller = worker ? current!.poller : await startPoller();
    const failure = await poller.pollOnce(res.body.id).then(
      () => null,
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(/authentication failed/i);
    expect(failure?.message).not.toContain('nope');
    const status = poller.status().find((s) => s.channelId === res.body.id);
    expect(status).toMatchObject({ connected: false, lastError: expect.stringMatching(/authentication failed/i) });
    // The admin who set it up reads why in the channel, without the password.
    const seen = await request(t.http).get(`/api/v1/channels/${res.body.id}`).set(ws.admin.auth).expect(200);
    expect(seen.body.imapStatus).toMatchObject({
      connected: false,
      lastPollAt: null,
      lastError: expect.stringMatching(/authentication failed/i),
    });
    expect(JSON.stringify(seen.body)).not.toContain('nope');
    // The good mailbox still polls.
    expect(await poller.pollOnce(channelId)).toBe(0);
  });
});
