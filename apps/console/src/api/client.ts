import type { Me } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  workspace: string;
  user: Me;
}

const KEY = 'crewdesk.session';

/**
 * The REST client: bearer access token, one shared refresh when it expires (15 minutes), and the session in
 * localStorage so a reload stays signed in. `onSignedOut` fires when the refresh token is refused.
 */
export class ApiClient {
  private session: Session | null;
  private refreshing: Promise<boolean> | null = null;
  onSignedOut: () => void = () => {};

  constructor(
    readonly base = '',
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null = safeStorage(),
  ) {
    try {
      this.session = JSON.parse(this.storage?.getItem(KEY) ?? 'null');
    } catch {
      this.session = null;
    }
  }

  get current(): Session | null {
    return this.session;
  }

  get token(): string {
    return this.session?.accessToken ?? '';
  }

  private save(s: Session | null) {
    this.session = s;
    if (s) this.storage?.setItem(KEY, JSON.stringify(s));
    else this.storage?.removeItem(KEY);
  }

  updateUser(user: Me) {
    if (this.session) this.save({ ...this.session, user });
  }

  async login(workspace: string, email: string, password: string): Promise<Session> {
    const res = await this.raw('POST', '/api/v1/auth/login', { workspace, email, password }, false);
    const s: Session = { accessToken: res.accessToken, refreshToken: res.refreshToken, workspace, user: res.user };
    this.save(s);
    return s;
  }

  async logout(): Promise<void> {
    try {
      if (this.session) await this.raw('POST', '/api/v1/auth/logout', undefined, false);
    } catch {
      /* the session ends locally either way */
    }
    this.save(null);
  }

  /** Trades the refresh token for new tokens; concurrent callers share one request. */
  refresh(): Promise<boolean> {
    if (!this.session) return Promise.resolve(false);
    this.refreshing ??= (async () => {
      try {
        const res = await this.raw('POST', '/api/v1/auth/refresh', { refreshToken: this.session!.refreshToken }, false);
        this.save({
          ...this.session!,
          accessToken: res.accessToken,
          refreshToken: res.refreshToken ?? this.session!.refreshToken,
        });
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status < 500) {
          this.save(null);
          this.onSignedOut();
        }
        return false;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** A token for the socket handshake, refreshed first when it is about to expire. */
  async freshToken(): Promise<string> {
    const exp = jwtExpiry(this.token);
    if (exp && exp - Date.now() < 30_000) await this.refresh();
    return this.token;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  del<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.raw(method, path, body, true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && this.session && (await this.refresh()))
        return this.raw(method, path, body, true);
      throw err;
    }
  }

  /** Uploads a file (multipart `file`) and answers the attachment. */
  async upload(file: File): Promise<{ id: string; filename: string; contentType: string; size: number }> {
    const send = () => {
      const form = new FormData();
      form.append('file', file, file.name);
      return fetch(this.base + '/api/v1/attachments', {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}` },
        body: form,
      });
    };
    let res = await send();
    if (res.status === 401 && (await this.refresh())) res = await send();
    return this.parse(res);
  }

  /** Fetches a protected file (attachments need the bearer token) as a blob. */
  async blob(path: string): Promise<Blob> {
    let res = await fetch(this.base + path, { headers: { authorization: `Bearer ${this.token}` } });
    if (res.status === 401 && (await this.refresh()))
      res = await fetch(this.base + path, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new ApiError(res.status, 'DOWNLOAD_FAILED', res.statusText);
    return res.blob();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async raw(method: string, path: string, body: unknown, auth: boolean): Promise<any> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth || path.endsWith('/logout'))
      if (this.session) headers.authorization = `Bearer ${this.session.accessToken}`;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server cannot be reached');
    }
    return this.parse(res);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async parse(res: Response): Promise<any> {
    if (res.status === 204) return undefined;
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok)
      throw new ApiError(
        res.status,
        json?.code ?? 'HTTP_' + res.status,
        json?.message ?? res.statusText,
        json?.details,
      );
    return json;
  }
}

export function jwtExpiry(token: string): number | null {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function qs(params: Record<string, string | number | string[] | undefined | null>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(Array.isArray(v) ? v.join(',') : String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
