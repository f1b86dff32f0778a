/** The widget's HTTP calls: session, history, contact email, attachments. Errors are `{ code, message }`. */

export interface Identity {
  userId: string;
  hmac: string;
  name?: string;
  email?: string;
}

export interface SessionResponse {
  visitorToken: string;
  customerId: string;
  workspace: { name: string };
  greeting: string | null;
  online: boolean;
  conversation: { ticketId: string; status: string } | null;
}

export interface AttachmentInfo {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface WireMessage {
  id: string;
  ticketId: string;
  author: { type: 'customer' | 'staff'; name: string | null };
  body: string;
  html?: string | null;
  attachments?: AttachmentInfo[];
  attachmentIds?: string[];
  clientMessageId?: string | null;
  createdAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** An error body (`{ code, message, details }`) or a socket ack error as an ApiError. */
export function toApiError(status: number, body: unknown, fallback: string): ApiError {
  const b = (body ?? {}) as { code?: unknown; message?: unknown; details?: { retryAfter?: unknown } };
  const retry = Number(b.details?.retryAfter);
  return new ApiError(
    status,
    typeof b.code === 'string' ? b.code : fallback,
    typeof b.message === 'string' ? b.message : fallback,
    retry > 0 ? retry : undefined,
  );
}

const parse = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
};

export class Api {
  constructor(
    private readonly base: string,
    private readonly workspace: string,
    private readonly token: () => string | undefined,
  ) {}

  private auth(): Record<string, string> {
    const token = this.token();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, { ...init, credentials: 'omit', mode: 'cors' });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Network error');
    }
    const body = parse(await res.text().catch(() => ''));
    if (!res.ok) {
      const err = toApiError(res.status, body, res.status === 429 ? 'RATE_LIMITED' : `HTTP_${res.status}`);
      const header = Number(res.headers.get('retry-after'));
      return Promise.reject(
        err.retryAfter || !(header > 0) ? err : new ApiError(err.status, err.code, err.message, header),
      );
    }
    return body as T;
  }

  private json<T>(path: string, body: unknown, auth = false): Promise<T> {
    return this.request<T>(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(auth ? this.auth() : {}) },
      body: JSON.stringify(body),
    });
  }

  private get ws(): string {
    return encodeURIComponent(this.workspace);
  }

  session(body: { visitorToken?: string; identity?: Identity }): Promise<SessionResponse> {
    return this.json(`/api/v1/public/${this.ws}/widget/session`, body);
  }

  contact(email: string): Promise<unknown> {
    return this.json(`/api/v1/public/${this.ws}/widget/contact`, { email }, true);
  }

  /** The whole conversation, oldest first (follows `nextCursor`, at most `maxPages` pages of 100). */
  async history(ticketId: string, maxPages = 10): Promise<WireMessage[]> {
    const out: WireMessage[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < maxPages; page++) {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res: { items: WireMessage[]; nextCursor: string | null } = await this.request(
        `/api/v1/portal/tickets/${encodeURIComponent(ticketId)}/messages?limit=100${q}`,
        { headers: this.auth() },
      );
      out.push(...res.items);
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    return out;
  }

  /** Multipart upload (field `file`) with progress; XHR because fetch has no upload progress. */
  upload(file: File, onProgress: (fraction: number) => void): Promise<AttachmentInfo> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.base}/api/v1/portal/attachments`);
      const auth = this.auth();
      for (const k in auth) xhr.setRequestHeader(k, auth[k]);
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onload = () => {
        const body = parse(xhr.responseText);
        if (xhr.status >= 200 && xhr.status < 300) resolve(body as AttachmentInfo);
        else reject(toApiError(xhr.status, body, xhr.status === 413 ? 'PAYLOAD_TOO_LARGE' : `HTTP_${xhr.status}`));
      };
      xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'Network error'));
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
  }

  /** Attachments need the Authorization header, so they are fetched as blobs (shown via object URLs). */
  async attachment(id: string): Promise<Blob> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v1/portal/attachments/${encodeURIComponent(id)}`, {
        headers: this.auth(),
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Network error');
    }
    if (!res.ok) throw toApiError(res.status, parse(await res.text().catch(() => '')), `HTTP_${res.status}`);
    return res.blob();
  }
}
