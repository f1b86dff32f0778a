import { ChildProcess, execFileSync, spawn } from 'child_process';
import { createServer } from 'net';
import request from 'supertest';
import { INestApplicationContext } from '@nestjs/common';
import { LivePublisher } from '@crewdesk/realtime';
import { createTestApp, eventually, RecordingClient, TestApp, WorkspaceSession } from '@crewdesk/testing';
import { startWorker } from '../../apps/worker/src/start';
import { OutboxRelay } from '../../apps/worker/src/processors/outbox-relay.service';

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Another API process, from source, on the run's database and Redis prefix. */
async function spawnApi(extraEnv: Record<string, string> = {}): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'apps/api/src/main.ts', 'serve'],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        RUN_WORKER: 'off',
        LOG_LEVEL: 'warn',
        TS_NODE_TRANSPILE_ONLY: 'true',
        ...extraEnv,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`API process exited with ${proc.exitCode}`);
    const ok = await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { url, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error('API process did not start in 30 s');
}

describe('realtime across processes', () => {
  let t: TestApp;
  let ws: WorkspaceSession;
  const open: RecordingClient[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    ws = await WorkspaceSession.create(t);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => t.close());

  it('delivers a change made through process 1 to a socket on process 2', async () => {
    const [p1, p2] = await Promise.all([spawnApi(), spawnApi()]);
    try {
      const agent = await ws.person(['agent'], [], 'Wang');
      const other = await ws.person(['agent'], [], 'Mia');
      const onP2 = await RecordingClient.connect(p2.url, '/agents', other.token);
      const onP1 = await RecordingClient.connect(p1.url, '/agents', agent.token);
      open.push(onP1, onP2);
      const created = await request(p1.url)
        .post('/api/v1/tickets')
        .set(agent.auth)
        .send({ subject: 'Across', body: 'x', requester: { email: 'x@example.com' } })
        .expect(201);
      await onP2.waitFor((e) => e.some((x) => x.ticketId === created.body.id && x.type === 'ticket.created'));
      // Ephemeral signals cross processes too.
      await onP2.emit('ticket.view', { ticketId: created.body.id });
      await onP1.emit('ticket.view', { ticketId: created.body.id });
      // Typing is volatile: sent again after the coalescing interval, as a client that is still typing does.
      const typed = onP2.sendUntilRaw(
        () => onP1.client.socket.emit('typing', { ticketId: created.body.id, mode: 'note', typing: true }),
        'typing',
      );
      expect(await typed).toMatchObject({
        ticketId: created.body.id,
        userId: agent.id,
        mode: 'note',
      });
    } finally {
      p1.proc.kill();
      p2.proc.kill();
    }
  });

  it('API_WORKERS=2: two processes behind one port share rooms, one that dies is started again, SIGTERM stops all', async () => {
    const { url, proc } = await spawnApi({ API_WORKERS: '2' });
    const children = () => {
      try {
        return execFileSync('pgrep', ['-P', String(proc.pid)])
          .toString()
          .trim()
          .split('\n')
          .filter(Boolean);
      } catch {
        return [];
      }
    };
    try {
      await eventually(async () => (children().length === 2 ? true : null), 60_000);
      const agent = await ws.person(['agent'], [], 'Lin');
      // Several sockets: the kernel spreads them over both processes; every one hears every change.
      const sockets = await Promise.all(
        Array.from({ length: 6 }, () => RecordingClient.connect(url, '/agents', agent.token)),
      );
      open.push(...sockets);
      const made = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          request(url)
            .post('/api/v1/tickets')
            .set(agent.auth)
            .send({ subject: `Cluster ${i}`, body: 'x', requester: { email: `c${i}@example.com` } })
            .expect(201),
        ),
      );
      for (const s of sockets)
        await s.waitFor((e) =>
          made.every((m) => e.some((x) => x.ticketId === m.body.id && x.type === 'ticket.created')),
        );

      const [victim] = children();
      process.kill(Number(victim), 'SIGKILL');
      await eventually(async () => {
        const now = children();
        return now.length === 2 && !now.includes(victim) ? true : null;
      }, 60_000);
      await eventually(async () => ((await fetch(`${url}/health`).then((r) => r.status)) === 200 ? true : null));

      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(children()).toEqual([]);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });

  it('publishes through the outbox relay an event whose process never published it', async () => {
    let worker: INestApplicationContext | undefined;
    const live = t.app.get(LivePublisher);
    try {
      worker = await startWorker();
      const socket = await RecordingClient.connect(t.url, '/agents', ws.admin.token);
      open.push(socket);
      // Fault injection: the API commits but "dies" before publishing.
      live.enabled = false;
      const ticket = await ws.staffTicket(ws.admin.auth);
      await request(t.http)
        .post(`/api/v1/tickets/${ticket.id}/messages`)
        .set(ws.admin.auth)
        .send({ body: 'committed, never published' })
        .expect(201);
      live.enabled = true;
      const got = await socket.waitFor((e) => e.filter((x) => x.ticketId === ticket.id).length === 2, 15_000);
      expect(got.filter((x) => x.ticketId === ticket.id).map((x) => x.type)).toEqual([
        'ticket.created',
        'message.created',
      ]);
      // Only a relay can have sent them (the API's publisher was off): this worker's, or another worker's that held
      // the relay lock at that moment (one relay runs at a time across workers).

      // What was published live is not published again.
      const before = worker.get(OutboxRelay).relayed;
      const seen = await ws.staffTicket(ws.admin.auth);
      await socket.waitFor((e) => e.some((x) => x.ticketId === seen.id));
      const [{ tx }] = await t.db.query(`SELECT max(tx_id)::text AS tx FROM ticket_events WHERE ticket_id = $1`, [
        seen.id,
      ]);
      const passed = async () => {
        const [c] = await t.db.query(`SELECT watermark::text AS w FROM relay_cursors WHERE name = 'ticket-events'`);
        return BigInt(c.w) > BigInt(tx);
      };
      for (let i = 0; i < 100 && !(await passed()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await passed()).toBe(true);
      expect(worker.get(OutboxRelay).relayed).toBe(before);
    } finally {
      live.enabled = true;
      await worker?.close();
    }
  });
});
