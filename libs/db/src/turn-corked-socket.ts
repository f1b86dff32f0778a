import { Socket } from 'node:net';

/**
 * The socket of a PostgreSQL connection that sends what one callback of the event loop and the promise
 * continuations it set off wrote with one system call (`process.nextTick`: before the loop moves on to anything
 * else).
 *
 * With pipelining, statements issued together (a batch's `START TRANSACTION` with its lookup, its last statement
 * with `COMMIT`, the writes of mails decided at once) each went out by a `writev` of their own, and each of those
 * wakes the server: on the two-core VMs this project is measured on, a system call that wakes another process costs
 * more CPU than building the statement (ADR 0008). Nothing is held past the callback that wrote it, so no query
 * waits for unrelated work (a `setImmediate` flush would let a socket fan-out run first).
 */
export class TurnCorkedSocket extends Socket {
  private held = false;

  private readonly release = (): void => {
    this.held = false;
    this.uncork();
  };

  private readonly writeInTurn = (...args: unknown[]): boolean => {
    if (!this.held) {
      this.held = true;
      this.cork();
      process.nextTick(this.release);
    }
    return (Socket.prototype.write as (...a: unknown[]) => boolean).apply(this, args);
  };

  override connect(...args: unknown[]): this {
    (Socket.prototype.connect as (...a: unknown[]) => this).apply(this, args);
    // connect() puts net.Socket's own `write` back on the instance; ours goes on top of it.
    this.write = this.writeInTurn as Socket['write'];
    return this;
  }
}

/** node-postgres' `stream` option: a new socket for each connection. */
export function turnCorkedStream(): Socket {
  return new TurnCorkedSocket();
}
