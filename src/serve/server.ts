import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { overlayPng, readOriginal } from '../explain/overlay.js';
import { decisionRule, explanationJson } from '../predict/format.js';
import { predictFiles } from '../predict/predict-files.js';
import { printable } from '../text/escape.js';
import { imageFromBody, readBody } from './body.js';
import { HttpError } from './http-error.js';
import { pageHtml } from './page.js';
import { modelInfo, type ServedModel } from './served-model.js';

export interface ServeOptions {
  /** largest request body accepted, in bytes */
  maxBytes: number;
  /** predictions computed at once; more get 503 with Retry-After */
  concurrency: number;
  /** images with more pixels are refused before decoding (decompression bombs) */
  maxPixels: number;
  /** one line per request */
  log: (line: string) => void;
}

export const DEFAULT_MAX_BYTES = 20_000_000;
/** 50 megapixels: a full-size chest X-ray is 2-7 MP; a "bomb" declaring 30,000 x 30,000 pixels is refused from its header. */
export const DEFAULT_MAX_PIXELS = 50_000_000;
/** Served overlays are at most this many pixels on their longest side (the page shows them at about 400). */
const SERVED_OVERLAY_SIDE = 512;

const ROUTES: Record<string, string[]> = { '/': ['GET'], '/health': ['GET'], '/model': ['GET'], '/predict': ['POST'] };

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void =>
  send(res, status, `${JSON.stringify(value, null, 2)}\n`, 'application/json; charset=utf-8', headers);

/** 415 for bytes that are no image format sharp knows, 413 for too many pixels, 400 for a damaged image. */
function decodeStatus(message: string): number {
  if (/pixel limit/i.test(message)) return 413;
  if (/unsupported image format/i.test(message)) return 415;
  return 400;
}

/**
 * The HTTP handler: routes, the concurrency gate and one log line per request. Every error is a
 * JSON `{error, status}`; a bug answers 500 without its stack, and the server goes on.
 */
export function serveHandler(served: ServedModel, options: ServeOptions): (req: IncomingMessage, res: ServerResponse) => void {
  let inFlight = 0;
  const page = pageHtml(modelInfo(served));

  async function predict(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const explain = ['1', 'true', 'yes'].includes(url.searchParams.get('explain') ?? '');
    if (explain && !served.explainer) throw new HttpError(422, `this model cannot be explained: ${served.explainProblem ?? 'no explainer'}`);
    const image = await imageFromBody(await readBody(req, options.maxBytes), req.headers['content-type']);
    const limits = { maxInputPixels: options.maxPixels };
    const { predictions, unreadable } = await predictFiles(served.model, served.signature, [image], { limits, explainer: explain ? served.explainer : undefined });
    const p = predictions[0];
    if (!p) {
      const error = unreadable[0]?.error ?? 'the image cannot be decoded';
      throw new HttpError(decodeStatus(error), error);
    }
    const { signature } = served;
    const heatmap = p.explanation ? await overlayPng(await readOriginal(image, limits, SERVED_OVERLAY_SIDE), p.explanation.cam) : undefined;
    json(res, 200, {
      run_id: served.runId,
      class: p.label,
      probability: p.probability,
      threshold: signature.threshold,
      positive: signature.positive,
      probabilities: Object.fromEntries(signature.classes.map((c, k) => [c, p.probabilities[k]])),
      decision: decisionRule(signature),
      ...(p.explanation && heatmap
        ? { explanation: { ...explanationJson(p.explanation, signature), heatmap: `data:image/png;base64,${Buffer.from(heatmap).toString('base64')}` } }
        : {}),
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const methods = ROUTES[url.pathname];
    if (!methods) throw new HttpError(404, `no such route: ${url.pathname} (routes: GET /, GET /health, GET /model, POST /predict)`);
    if (!methods.includes(req.method ?? '')) throw new HttpError(405, `${url.pathname} takes ${methods.join(', ')}, not ${req.method}`, { Allow: methods.join(', ') });
    if (url.pathname === '/health') return json(res, 200, { status: 'ok', run_id: served.runId, in_flight: inFlight });
    if (url.pathname === '/model') return json(res, 200, modelInfo(served));
    if (url.pathname === '/') {
      return send(res, 200, page, 'text/html; charset=utf-8', {
        'Content-Security-Policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'",
      });
    }
    // Beyond the limit, refuse at once rather than queue without bound: the client retries.
    if (inFlight >= options.concurrency) throw new HttpError(503, `the server is busy (${options.concurrency} predictions in progress, --concurrency); retry shortly`, { 'Retry-After': '1', Connection: 'close' });
    inFlight++;
    try {
      await predict(req, res, url);
    } finally {
      inFlight--;
    }
  }

  return (req, res) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      options.log(`${new Date().toISOString()} ${printable(req.method ?? '-')} ${printable((req.url ?? '').split('?')[0]!)} ${res.statusCode} ${ms.toFixed(0)}ms`);
    });
    route(req, res).catch((e: unknown) => {
      const known = e instanceof HttpError;
      if (!known) options.log(`${new Date().toISOString()} internal error on ${printable(req.method ?? '-')} ${printable(req.url ?? '')}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      const status = known ? e.status : 500;
      const message = known ? e.message : 'internal error in exp serve (logged on the server)';
      if (res.headersSent) return void res.destroy();
      json(res, status, { error: message, status }, known ? e.headers : {});
    });
  };
}

/** Listens on host:port (port 0: any free port); resolves once listening. */
export async function startServer(served: ServedModel, options: ServeOptions & { host: string; port: number }): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer({ requestTimeout: 60_000, headersTimeout: 30_000 }, serveHandler(served, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
