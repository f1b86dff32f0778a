// file-type 16 is the last CommonJS release; it sniffs ~100 binary formats from the first bytes.
import { fromBuffer } from 'file-type';

/** The content type of a file from its bytes alone (the client's name and type are never trusted). */
export async function sniffContentType(head: Buffer): Promise<string> {
  // A file cut short inside its format's header (a PNG signature alone) makes file-type read past the end and throw:
  // it is then no file of that format, and is typed by the rules below.
  const found = await fromBuffer(head).catch(() => undefined);
  if (found) return found.mime;
  if (head.length === 0) return 'application/octet-stream';
  // No magic number: plain text if it is valid UTF-8 without NULs, else opaque bytes.
  if (head.includes(0)) return 'application/octet-stream';
  try {
    // `stream`: the head may end inside a character (a longer file), which is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
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
