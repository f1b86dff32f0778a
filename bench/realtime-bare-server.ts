/**
 * bench/realtime-bare-server — the baseline of bench/realtime-fanout (forked, never run by hand): a minimal
 * socket.io 4 server, no auth, no adapter, no backpressure. Every socket of namespace /agents joins one room.
 * The load generator drives it exactly as it drives the API: open-loop HTTP writes (`POST /emit` with the note's
 * body), each emitting one event to the room before it is answered. The event is a copy of a real API event (its
 * shape and size, set over IPC with `template`), with the handling time in `createdAt` (where the API has its
 * commit time) and the request's note, send stamp included, as the message body.
 */
import { createServer, IncomingMessage, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { performance } from 'perf_hooks';
import { Server } from 'socket.io';

const now = () => performance.timeOrigin + performance.now();
const send = (msg: unknown) => process.send?.(msg);

let event = '';
let template: Record<string, unknown> | undefined;
let seq = 0;

/** A copy of the template with a fresh id, the handling time and the request's note. */
function payload(body: string): Record<string, unknown> {
  const data = template!.data as { message: Record<string, unknown> };
  return {
    ...template,
    id: String(++seq),
    createdAt: new Date(now()).toISOString(),
    data: { ...data, message: { ...data.message, body } },
  };
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'POST' || req.url !== '/emit' || !template) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { body } = JSON.parse(Buffer.concat(chunks).toString()) as { body: string };
    nsp.to('room').emit(event, payload(body));
    res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
  });
}

// socket.io answers its own path and hands every other request to this listener.
const http = createServer(onRequest);
const io = new Server(http, {
  transports: ['websocket'],
  pingInterval: 25_000,
  pingTimeout: 20_000,
  maxHttpBufferSize: 1024 * 1024,
});
const nsp = io.of('/agents');
nsp.on('connection', (socket) => {
  socket.join('room');
  socket.emit('replay', { events: [], truncated: false });
});

process.on('message', (msg: { cmd: string; event?: string; template?: Record<string, unknown> }) => {
  switch (msg.cmd) {
    case 'listen':
      http.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (http.address() as AddressInfo).port }));
      break;
    case 'template':
      event = msg.event!;
      template = msg.template;
      send({ type: 'template' });
      break;
    case 'sockets':
      send({ type: 'sockets', sockets: nsp.sockets.size });
      break;
  }
});

process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
