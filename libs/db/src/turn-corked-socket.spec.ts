import { AddressInfo, createServer, Server, Socket } from 'net';
import { TurnCorkedSocket } from './turn-corked-socket';

describe('TurnCorkedSocket', () => {
  let server: Server;
  let received: Buffer[];
  beforeAll(async () => {
    server = createServer((peer) => peer.on('data', (d: Buffer) => received.push(d)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (received = []));

  async function connected(): Promise<TurnCorkedSocket> {
    const socket = new TurnCorkedSocket();
    await new Promise<void>((resolve) => socket.connect((server.address() as AddressInfo).port, '127.0.0.1', resolve));
    return socket;
  }

  it('sends what one turn wrote with one system call, and the next turn with another', async () => {
    const socket = await connected();
    // connect() puts net.Socket's own write back on the instance: the turn's write must still be the one in use.
    expect(socket.write).not.toBe(Socket.prototype.write);
    const sends: number[] = [];
    const internals = socket as unknown as {
      _write(c: Buffer, e: string, cb: () => void): void;
      _writev(c: unknown[], cb: () => void): void;
    };
    const write = internals._write.bind(socket);
    const writev = internals._writev.bind(socket);
    internals._write = (c, e, cb) => (sends.push(1), write(c, e, cb));
    internals._writev = (c, cb) => (sends.push(c.length), writev(c, cb));

    socket.write('a');
    await Promise.resolve();
    socket.write('b');
    socket.write('c');
    await new Promise((r) => setImmediate(r));
    expect(sends).toEqual([3]);
    socket.write('d');
    await new Promise((r) => setImmediate(r));
    expect(sends).toEqual([3, 1]);

    await new Promise<void>((resolve) => socket.end(resolve));
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(received).toString()).toBe('abcd');
  });

  it('flushes what is held when the socket is ended in the same turn', async () => {
    const socket = await connected();
    socket.write('x');
    socket.end('y');
    await new Promise((r) => socket.once('close', r));
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(received).toString()).toBe('xy');
  });
});
