// file-type 16 is the last CommonJS release; it sniffs ~100 binary formats from the first bytes.
import { fromBuffer } from 'file-type';

/** The content type of a file from its bytes alone (the client's name and type are never trusted). */
export async function sniffContentType(head: Buffer): Promise<string> {
  const found = await fromBuffer(head);
  if (found) return found.mime;
  if (head.length === 0) return 'application/octet-stream';
  // No magic number: plain text if it is valid UTF-8 without NULs, else opaque bytes.
  if (head.includes(0)) return 'application/octet-stream';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, head.length - 4)));
    return 'text/plain';
  } catch {
    return 'application/octet-stream';
  }
}

/** Types a browser may render inline; everything else downloads. */
export const INLINE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
]);

export function safeFilename(name: string | undefined): string {
  const base = (name ?? 'file').split(/[\\/]/).pop() ?? 'file';

  const cleaned = base
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_')
    .trim()
    .slice(0, 200);
  return cleaned || 'file';
}
