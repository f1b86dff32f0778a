import { Injectable } from '@nestjs/common';
import { createReadStream, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'fs';
import { mkdir, rename, rm } from 'fs/promises';
import { dirname, join, resolve } from 'path';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { createHash, randomUUID } from 'crypto';
import { Env } from '@crewdesk/config';

/** Bytes already in memory up to this size are written straight from the event loop (see `LocalDiskStorage.put`). */
export const DIRECT_WRITE_MAX_BYTES = 256 * 1024;
/** Directories known to exist; forgotten all at once past this many. */
const KNOWN_DIRS_MAX = 10_000;

/** The first bytes of a file, for type sniffing. */
const HEAD_BYTES = 4100;

export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
  /** The first bytes, for type sniffing. */
  head: Buffer;
}

/** Where attachment bytes live. Local disk here; an S3-compatible store implements the same four calls. */
export abstract class ObjectStorage {
  /** Stores a stream, or bytes already in memory (a mail's attachment); larger than `maxBytes` is a TooLargeError. */
  abstract put(key: string, body: Readable | Buffer, maxBytes: number): Promise<StoredObject>;
  abstract get(key: string): Readable;
  abstract delete(key: string): Promise<void>;
}

export class TooLargeError extends Error {}

@Injectable()
export class LocalDiskStorage extends ObjectStorage {
  private readonly root: string;
  constructor(env: Env) {
    super();
    this.root = resolve(env.STORAGE_DIR);
  }

  private path(key: string): string {
    const full = resolve(this.root, key);
    if (!full.startsWith(this.root + '/')) throw new Error('Storage key escapes the storage root');
    return full;
  }

  private readonly knownDirs = new Set<string>();

  async put(key: string, body: Readable | Buffer, maxBytes: number): Promise<StoredObject> {
    if (Buffer.isBuffer(body) && body.length <= DIRECT_WRITE_MAX_BYTES) return this.putSmall(key, body, maxBytes);
    if (Buffer.isBuffer(body)) body = Readable.from([body]);
    const target = this.path(key);
    const tmp = join(this.root, 'tmp', randomUUID());
    await mkdir(dirname(tmp), { recursive: true });
    await mkdir(dirname(target), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    const head: Buffer[] = [];
    let headLen = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new TooLargeError(`larger than ${maxBytes} bytes`));
        if (headLen < HEAD_BYTES) {
          head.push(chunk.subarray(0, HEAD_BYTES - headLen));
          headLen += Math.min(chunk.length, HEAD_BYTES - headLen);
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { key, size, sha256: hash.digest('hex'), head: Buffer.concat(head) };
  }

  /**
   * A small file already in memory is written with blocking calls: to the page cache that takes microseconds, where
   * the asynchronous path (two `mkdir`s, open, write, close, rename) hands six jobs to libuv's thread pool, each
   * waking a thread and then the event loop, which on a busy two-core machine cost more than the writing. No
   * temporary name is needed: the key is new, and nothing refers to it until the caller's row is committed.
   */
  private putSmall(key: string, body: Buffer, maxBytes: number): StoredObject {
    if (body.length > maxBytes) throw new TooLargeError(`larger than ${maxBytes} bytes`);
    const target = this.path(key);
    const dir = dirname(target);
    const write = () => this.writeNew(target, body);
    try {
      if (!this.knownDirs.has(dir)) mkdirSync(dir, { recursive: true });
      try {
        write();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // The directory went away since it was made (storage cleaned by hand): make it again.
        mkdirSync(dir, { recursive: true });
        write();
      }
    } catch (err) {
      // A file cut short (a full disk) is not left behind; one that was there before is not ours to remove.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') rmSync(target, { force: true });
      throw err;
    }
    if (this.knownDirs.size >= KNOWN_DIRS_MAX) this.knownDirs.clear();
    this.knownDirs.add(dir);
    const sha256 = createHash('sha256').update(body).digest('hex');
    return { key, size: body.length, sha256, head: Buffer.from(body.subarray(0, HEAD_BYTES)) };
  }

  /** Writes a file that must not exist yet. */
  protected writeNew(path: string, body: Buffer): void {
    writeFileSync(path, body, { flag: 'wx' });
  }

  get(key: string): Readable {
    return createReadStream(this.path(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
