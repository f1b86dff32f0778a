import { Injectable } from '@nestjs/common';
import { createReadStream, createWriteStream } from 'fs';
import { mkdir, rename, rm } from 'fs/promises';
import { dirname, join, resolve } from 'path';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { createHash, randomUUID } from 'crypto';
import { Env } from '@crewdesk/config';

export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
  /** The first bytes, for type sniffing. */
  head: Buffer;
}

/** Where attachment bytes live. Local disk here; an S3-compatible store implements the same four calls. */
export abstract class ObjectStorage {
  abstract put(key: string, body: Readable, maxBytes: number): Promise<StoredObject>;
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

  async put(key: string, body: Readable, maxBytes: number): Promise<StoredObject> {
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
        if (headLen < 4100) {
          head.push(chunk.subarray(0, 4100 - headLen));
          headLen += Math.min(chunk.length, 4100 - headLen);
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

  get(key: string): Readable {
    return createReadStream(this.path(key));
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
