import * as http from 'node:http';
import * as https from 'node:https';
import type { TransportObservation } from './classify';

/**
 * Minimal HTTP POST on node:http(s). Not fetch, on purpose: classification needs to know
 * whether a failure happened before or after the request body left this process (retryable vs
 * ambiguous) and needs a connect timeout separate from the total timeout; fetch exposes
 * neither without the undici package.
 */
export interface PostRequest {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly connectTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly maxResponseBytes?: number;
}

const DEFAULT_MAX_RESPONSE = 16 * 1024 * 1024;

export function post(
  request: PostRequest,
  agents: { http: http.Agent; https: https.Agent },
): Promise<TransportObservation> {
  return new Promise((resolve) => {
    const { url } = request;
    const isHttps = url.protocol === 'https:';
    const bodyBuffer = Buffer.from(request.body, 'utf8');
    let sent = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const finish = (observation: TransportObservation): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      resolve(observation);
    };
    const fail = (code: string, message: string): void =>
      finish({ type: 'transport-error', sent, code, message });

    const req = (isHttps ? https : http).request(url, {
      method: 'POST',
      agent: isHttps ? agents.https : agents.http,
      headers: { ...request.headers, 'content-length': String(bodyBuffer.length) },
    });

    timers.push(
      setTimeout(() => {
        fail(
          sent ? 'TIMEOUT_AFTER_SEND' : 'TIMEOUT_BEFORE_SEND',
          `no complete answer within ${request.totalTimeoutMs} ms`,
        );
        req.destroy();
      }, request.totalTimeoutMs),
    );

    req.on('socket', (socket) => {
      if (!socket.connecting) return; // reused keep-alive socket
      const connectTimer = setTimeout(() => {
        fail('CONNECT_TIMEOUT', `no connection within ${request.connectTimeoutMs} ms`);
        req.destroy();
      }, request.connectTimeoutMs);
      timers.push(connectTimer);
      socket.once(isHttps ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
    });
    req.on('finish', () => {
      sent = true;
    });
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? 'NETWORK_ERROR', err.message));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const limit = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          fail('RESPONSE_TOO_LARGE', `answer larger than ${limit} bytes`);
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? 'NETWORK_ERROR', err.message));
      res.on('aborted', () => fail('ECONNRESET', 'answer aborted mid-body'));
      res.on('end', () => {
        const contentType = res.headers['content-type'];
        finish({
          type: 'http',
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ...(contentType ? { contentType } : {}),
        });
      });
    });
    req.end(bodyBuffer);
  });
}
