import type { Socket } from 'socket.io';

/** The parts of engine.io's connection and its websocket transport that the direct path reads. */
interface EngineConn {
  readyState: string;
  upgrading: boolean;
  writeBuffer: unknown[];
  transport: {
    name: string;
    writable: boolean;
    /** The `ws` WebSocket: `readyState` and `bufferedAmount` are its public API, `_socket` its TCP socket. */
    socket?: { readyState: number; bufferedAmount: number; _socket?: { write(data: Buffer): boolean } };
  };
}

/** The frame as header and payload, as socket.io's adapter encodes it once per broadcast; `joined` is ours. */
type Frame = Buffer[] & { joined?: Buffer };

interface WriteOptions {
  volatile?: boolean;
  wsPreEncodedFrame?: Frame;
}

const OPEN = 1;

type WriteToEngine = (encodedPackets: unknown, opts: WriteOptions) => void;
type Client = { conn: EngineConn; writeToEngine: WriteToEngine };

const patched = Symbol('crewdesk.directFrames');

/**
 * A broadcast carries its websocket frame, encoded once for every socket of the room (`wsPreEncodedFrame`). For a
 * websocket that is idle (nothing queued by engine.io or by `ws`, nothing waiting in the TCP socket), the frame is
 * written straight to the TCP socket, as one buffer joined once per broadcast. engine.io would write the same bytes,
 * but only after a packet object, its queue, a flush, a corked two-part write and a completion callback with three
 * events, per socket: over 1,000 sockets that was about a fifth of the fan-out's CPU, and its short-lived objects,
 * alive across scavenges while the loop went through the room, were the largest share of what the API promoted to the
 * old generation (the major collections behind its longest pauses). A socket that is busy in any way takes engine.io's
 * path, so order and backpressure (its write buffer, which LivePublisher's sweep watches) stay engine.io's.
 */
export function writeBroadcastsDirectly(socket: Socket): void {
  const client = socket.client as unknown as Client & { [patched]?: true };
  if (client[patched]) return;
  client[patched] = true;
  const viaEngine = client.writeToEngine;
  client.writeToEngine = function writeToEngine(this: Client, encodedPackets: unknown, opts: WriteOptions): void {
    const frame = opts.wsPreEncodedFrame;
    const conn = this.conn;
    const transport = conn.transport;
    const ws = transport.socket;
    if (
      frame !== undefined &&
      conn.readyState === 'open' &&
      !conn.upgrading &&
      transport.name === 'websocket' &&
      transport.writable &&
      conn.writeBuffer.length === 0 &&
      ws?.readyState === OPEN &&
      ws.bufferedAmount === 0 &&
      ws._socket
    ) {
      ws._socket.write((frame.joined ??= frame.length === 1 ? frame[0] : Buffer.concat(frame)));
      return;
    }
    viaEngine.call(this, encodedPackets, opts);
  };
}
