import { createHash } from 'crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Readable } from 'stream';
import { Env } from '@crewdesk/config';
import { DIRECT_WRITE_MAX_BYTES, LocalDiskStorage, TooLargeError } from './storage';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('LocalDiskStorage', () => {
  let root: string;
  let storage: LocalDiskStorage;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'crewdesk-storage-'));
    storage = new LocalDiskStorage({ STORAGE_DIR: root } as Env);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores bytes in memory, a stream, and a large buffer alike: size, hash, first bytes', async () => {
    const small = Buffer.from('%PDF-1.7 small file');
    const large = Buffer.alloc(DIRECT_WRITE_MAX_BYTES + 10, 7);
    const a = await storage.put('t1/ab/a', small, 1 << 20);
    const b = await storage.put('t1/ab/b', Readable.from([small]), 1 << 20);
    const c = await storage.put('t1/cd/c', large, 1 << 20);
    expect(a).toEqual({ key: 't1/ab/a', size: small.length, sha256: sha(small), head: small });
    expect(b).toEqual({ ...a, key: 't1/ab/b' });
    expect(c.size).toBe(large.length);
    expect(c.sha256).toBe(sha(large));
    expect(c.head).toHaveLength(4100);
    expect(readFileSync(join(root, 't1/ab/a'))).toEqual(small);
    expect(readFileSync(join(root, 't1/cd/c'))).toEqual(large);
    // The streamed files went through the temporary directory and left nothing there.
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses bytes over the limit, in memory or streamed, and leaves no file', async () => {
    await expect(storage.put('t1/ab/x', Buffer.alloc(11), 10)).rejects.toBeInstanceOf(TooLargeError);
    await expect(storage.put('t1/ab/y', Readable.from([Buffer.alloc(11)]), 10)).rejects.toBeInstanceOf(TooLargeError);
    const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files).toEqual([]);
  });

  it('makes a directory again when it was removed after the first file went into it', async () => {
    await storage.put('t1/ab/a', Buffer.from('one'), 100);
    rmSync(join(root, 't1'), { recursive: true });
    await storage.put('t1/ab/b', Buffer.from('two'), 100);
    expect(readFileSync(join(root, 't1/ab/b'), 'utf8')).toBe('two');
  });

  it('never overwrites a stored file, and keeps keys inside its root', async () => {
    await storage.put('t1/ab/a', Buffer.from('one'), 100);
    await expect(storage.put('t1/ab/a', Buffer.from('two'), 100)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(join(root, 't1/ab/a'), 'utf8')).toBe('one');
    await expect(storage.put('../escape', Buffer.from('x'), 100)).rejects.toThrow('escapes the storage root');
  });

  it('removes a file cut short by a failed write', async () => {
    class FullDisk extends LocalDiskStorage {
      protected override writeNew(path: string): void {
        appendFileSync(path, 'half');
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      }
    }
    const full = new FullDisk({ STORAGE_DIR: root } as Env);
    await expect(full.put('t1/ab/full', Buffer.from('whole file'), 100)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(existsSync(join(root, 't1/ab/full'))).toBe(false);
  });
});
