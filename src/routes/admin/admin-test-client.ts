/**
 * A small cookie-keeping HTTP client for the admin API tests. Every response body it
 * sees is recorded, so a suite can assert at the end that no secret ever left the server.
 */
export interface AdminResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface AdminRequestOptions {
  body?: unknown;
  /** Send the session's CSRF token on mutating methods (default true). */
  csrf?: boolean;
  /** Send the session cookie (default true). */
  cookie?: boolean;
  headers?: Record<string, string>;
}

export class AdminTestClient {
  cookie: string | null = null;
  csrfToken: string | null = null;

  constructor(
    private readonly baseUrl: () => string,
    readonly recorded: string[] = [],
  ) {}

  async request(method: string, path: string, options: AdminRequestOptions = {}): Promise<AdminResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.cookie !== false && this.cookie) headers.cookie = `skgw_session=${this.cookie}`;
    if (options.csrf !== false && this.csrfToken && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    const response = await fetch(`${this.baseUrl()}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    this.recorded.push(text);
    for (const line of response.headers.getSetCookie()) {
      const match = /^skgw_session=([^;]*)/.exec(line);
      if (match) this.cookie = match[1] || null;
    }
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  get = (path: string, options?: AdminRequestOptions) => this.request('GET', path, options);
  post = (path: string, body?: unknown, options?: AdminRequestOptions) => this.request('POST', path, { ...options, body });
  put = (path: string, body?: unknown, options?: AdminRequestOptions) => this.request('PUT', path, { ...options, body });
  patch = (path: string, body?: unknown, options?: AdminRequestOptions) => this.request('PATCH', path, { ...options, body });
  delete = (path: string, options?: AdminRequestOptions) => this.request('DELETE', path, options);

  async login(password: string, headers?: Record<string, string>): Promise<AdminResponse> {
    const response = await this.post('/admin/auth/login', { password }, { headers });
    if (response.status === 200) this.csrfToken = response.json.csrfToken;
    return response;
  }
}

/** Which secrets occur in the texts (reported by prefix and the text before it, never in full). */
export const findSecrets = (texts: string[], secrets: string[]): string[] => {
  const found: string[] = [];
  for (const secret of secrets.filter((s) => s && s.length >= 6)) {
    const hit = texts.find((text) => text.includes(secret));
    if (hit) found.push(`${secret.slice(0, 3)}… in: ${hit.slice(Math.max(0, hit.indexOf(secret) - 80), hit.indexOf(secret))}`);
  }
  return found;
};
