import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { Readable } from 'stream';
import { DataSource } from 'typeorm';
import { allOrEachAlone, AppError, ErrorCode, GroupCommit } from '@crewdesk/common';
import { Env } from '@crewdesk/config';
import { queryRows, TenantContext } from '@crewdesk/db';
import { Params } from '../sql';
import { visibleTo } from '../visibility';
import { INLINE_TYPES, safeFilename, sniffContentType } from './sniff';
import { ObjectStorage, TooLargeError } from './storage';

export interface AttachmentInfo {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

const COLUMNS = [
  'id',
  'tenant_id',
  'filename',
  'content_type',
  'size',
  'sha256',
  'storage_key',
  'uploader_type',
  'uploader_id',
] as const;
/** One attachment row, in the order of `COLUMNS`. */
type AttachmentRow = [string, string, string, string, number, string, string, string, string | null];

/** Uploads (stored first, linked to a message later) and downloads that respect ticket visibility. */
@Injectable()
export class AttachmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
    private readonly storage: ObjectStorage,
    private readonly env: Env,
  ) {}

  async upload(filename: string | undefined, body: Readable | Buffer): Promise<AttachmentInfo> {
    const actor = this.ctx.actor;
    const id = randomUUID();
    const key = `${actor.tenantId}/${id.slice(0, 2)}/${id}`;
    let stored;
    try {
      stored = await this.storage.put(key, body, this.env.MAX_ATTACHMENT_BYTES);
    } catch (err) {
      if (err instanceof TooLargeError || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
        throw new AppError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `Attachments may be at most ${this.env.MAX_ATTACHMENT_BYTES} bytes`,
          {
            maxBytes: this.env.MAX_ATTACHMENT_BYTES,
          },
        );
      }
      throw err;
    }
    if (stored.size === 0) {
      await this.storage.delete(key);
      throw new AppError(ErrorCode.ATTACHMENT_INVALID, 'The file is empty');
    }
    const contentType = await sniffContentType(stored.head);
    const name = safeFilename(filename);
    const createdAt = await this.rows.add([
      id,
      actor.tenantId,
      name,
      contentType,
      stored.size,
      stored.sha256,
      key,
      actor.kind,
      actor.id,
    ]);
    return { id, filename: name, contentType, size: stored.size, sha256: stored.sha256, createdAt };
  }

  /**
   * The rows of files stored at the same moment (mails ingested side by side, uploads of one moment) go in one
   * statement and one commit; if it fails, each row is written alone, so only the one at fault fails.
   */
  private readonly rows = new GroupCommit<AttachmentRow, string>(
    allOrEachAlone(async (rows) => {
      const p = new Params();
      const tuples = rows.map((row) => `(${row.map((v) => p.add(v)).join(', ')})`);
      const out: Array<{ id: string; created_at: Date }> = await this.db.query(
        `INSERT INTO attachments (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} RETURNING id, created_at`,
        p.values,
      );
      const at = new Map(out.map((o) => [o.id, new Date(o.created_at).toISOString()]));
      return rows.map((row) => at.get(row[0] as string)!);
    }),
    1,
    64,
  );

  /** Opens an attachment the actor may see: one of a visible ticket's messages (public ones for customers), or their own upload. */
  async open(id: string): Promise<{ info: AttachmentInfo; inline: boolean; stream: Readable }> {
    const actor = this.ctx.actor;
    const p = new Params();
    const tenant = p.add(actor.tenantId);
    const attachment = p.add(id);
    const uploaderType = p.add(actor.kind);
    const uploaderId = p.add(actor.id);
    const customerFilter = actor.kind === 'customer' ? ` AND m.kind = 'public'` : '';
    const sql = `
      SELECT a.* FROM attachments a
      WHERE a.tenant_id = ${tenant} AND a.id = ${attachment} AND (
        (a.message_id IS NULL AND a.uploader_type = ${uploaderType} AND a.uploader_id IS NOT DISTINCT FROM ${uploaderId}::uuid)
        OR EXISTS (SELECT 1 FROM messages m JOIN tickets t ON t.id = m.ticket_id AND t.tenant_id = m.tenant_id
                   WHERE m.tenant_id = a.tenant_id AND m.id = a.message_id${customerFilter} AND ${visibleTo(actor, p)}))`;
    const [row] = await this.db.query(sql, p.values);
    if (!row) throw AppError.notFound('Attachment');
    return {
      info: {
        id: row.id,
        filename: row.filename,
        contentType: row.content_type,
        size: row.size,
        sha256: row.sha256.trim(),
        createdAt: new Date(row.created_at).toISOString(),
      },
      inline: INLINE_TYPES.has(row.content_type),
      stream: this.storage.get(row.storage_key),
    };
  }

  /** Removes uploads that no message took within `olderThanHours`. Returns how many went. */
  async purgeOrphans(olderThanHours: number, batch = 500): Promise<number> {
    const rows = await queryRows<{ storage_key: string }>(
      this.db,
      `DELETE FROM attachments WHERE id IN (
         SELECT id FROM attachments WHERE message_id IS NULL AND created_at < now() - make_interval(hours => $1) LIMIT $2)
       RETURNING storage_key`,
      [olderThanHours, batch],
    );
    for (const r of rows) await this.storage.delete(r.storage_key);
    return rows.length;
  }
}
