import { createServer, Server as HttpServer } from 'http';
import { AddressInfo } from 'net';
import { Server, Socket } from 'socket.io';
import { io as connect, Socket as ClientSocket } from 'socket.io-client';
import { writeBroadcastsDirectly } from './direct-frames';

/** A socket.io server whose sockets join `room` and use the direct path, and a way to count engine.io packets. */
async function setup(clients: number) {
  const http: HttpServer = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  const serverSockets: Socket[] = [];
  let enginePackets = 0;
  io.on('connection', (socket) => {
    writeBroadcastsDirectly(socket);
    writeBroadcastsDirectly(socket); // idempotent
    socket.conn.on('packetCreate', (p: { type: string }) => p.type === 'message' && enginePackets++);
    socket.join('room');
    serverSockets.push(socket);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const sockets: ClientSocket[] = [];
  for (let i = 0; i < clients; i++) {
    const s = connect(url, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    sockets.push(s);
  }
  while (serverSockets.length < clients) await new Promise((r) => setTimeout(r, 5));
  return {
    io,
    serverSockets,
    sockets,
    enginePackets: () => enginePackets,
    close: async () => {
      for (const s of sockets) s.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

const received = (socket: ClientSocket, count: number) =>
  new Promise<unknown[]>((resolve) => {
    const got: unknown[] = [];
    socket.on('m', (v: unknown) => {
      got.push(v);
      if (got.length === count) resolve(got);
    });
  });

describe('writeBroadcastsDirectly', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  afterEach(() => ctx?.close());

  it('writes a broadcast to idle websockets without engine.io packets, and every socket gets it', async () => {
    ctx = await setup(3);
    const all = ctx.sockets.map((s) => received(s, 2));
    ctx.io.to('room').emit('m', 1);
    ctx.io.to('room').emit('m', { two: '二' });
    expect(await Promise.all(all)).toEqual(ctx.sockets.map(() => [1, { two: '二' }]));
    expect(ctx.enginePackets()).toBe(0);
  });

  it('keeps the order of broadcasts and direct emits to one socket', async () => {
    ctx = await setup(1);
    const got = received(ctx.sockets[0], 300);
    for (let i = 0; i < 300; i++) {
      if (i % 3 === 0) ctx.serverSockets[0].emit('m', i);
      else ctx.io.to('room').emit('m', i);
    }
    expect(await got).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // The socket's own emits went through engine.io, and a broadcast behind one of them too.
    expect(ctx.enginePackets()).toBeGreaterThanOrEqual(100);
  });

  it('leaves a busy socket to engine.io, behind what engine.io holds, and drops volatile packets as engine.io does', async () => {
    ctx = await setup(1);
    const conn = ctx.serverSockets[0].conn as unknown as {
      transport: { writable: boolean };
      writeBuffer: unknown[];
    };
    const got = received(ctx.sockets[0], 3);
    conn.transport.writable = false; // a write in progress
    ctx.io.to('room').emit('m', 'a');
    ctx.io.to('room').volatile.emit('m', 'dropped');
    expect(conn.writeBuffer).toHaveLength(1);
    conn.transport.writable = true;
    ctx.io.to('room').emit('m', 'b'); // not directly: engine.io holds "a", and sends both now
    expect(conn.writeBuffer).toHaveLength(0);
    expect(ctx.enginePackets()).toBe(2);
    ctx.io.to('room').emit('m', 'c');
    expect(await got).toEqual(['a', 'b', 'c']);
  });
});
