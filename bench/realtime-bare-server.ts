/**
 * bench/realtime-bare-server — the baseline of bench/realtime-fanout (forked, never run by hand): a minimal
 * socket.io 4 server, no auth, no adapter, no backpressure. Every socket of namespace /agents joins one room;
 * on `emit { rate, seconds, template }` it emits the template (the size and shape of a real API event, with
 * the emit time in `createdAt` and in the body) to the room at the offered rate, catching up when it falls
 * behind, exactly as an open-loop load generator offers writes to the API.
 */
import { createServer } from 'http';
import { AddressInfo } from 'net';
import { performance } from 'perf_hooks';
import { Server } from 'socket.io';

const now = () => performance.timeOrigin + performance.now();
const send = (msg: unknown) => process.send?.(msg);

const http = createServer();
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

let seq = 0;
/** A copy of the template with a fresh id and the emit time (the stamp keeps the body's length). */
function payload(template: Record<string, unknown>): Record<string, unknown> {
  const at = now();
  const data = template.data as { message: Record<string, unknown> };
  const body = String(data.message.body).replace(/rt-bench \d+\.\d{3}/, `rt-bench ${at.toFixed(3)}`);
  return {
    ...template,
    id: String(++seq),
    createdAt: new Date(at).toISOString(),
    data: { ...data, message: { ...data.message, body } },
  };
}

function emitAt(rate: number, seconds: number, event: string, template: Record<string, unknown>): Promise<number> {
  return new Promise((resolve) => {
    const start = now();
    const total = Math.round(rate * seconds);
    let emitted = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((now() - start) / 1000) * rate) + 1);
      // At most 20 per turn of the event loop, so timers, pings and IPC still run under overload.
      for (let i = 0; emitted < due && i < 20; i++, emitted++) nsp.to('room').emit(event, payload(template));
      if (now() - start >= seconds * 1000 || emitted >= total) return resolve(emitted);
      if (emitted < due) setImmediate(tick);
      else setTimeout(tick, Math.max(0, start + ((emitted + 0) * 1000) / rate - now()));
    };
    tick();
  });
}

process.on(
  'message',
  async (msg: { cmd: string; rate?: number; seconds?: number; event?: string; template?: never }) => {
    switch (msg.cmd) {
      case 'listen':
        http.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (http.address() as AddressInfo).port }));
        break;
      case 'emit': {
        const emitted = await emitAt(msg.rate!, msg.seconds!, msg.event!, msg.template!);
        send({ type: 'emitted', emitted });
        break;
      }
      case 'sockets':
        send({ type: 'sockets', sockets: nsp.sockets.size });
        break;
    }
  },
);

process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
