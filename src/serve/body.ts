import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1)} MB`;

/**
 * The request body, refused with 413 as soon as it passes `maxBytes`: a declared Content-Length
 * over the limit is refused before a byte is read, and a chunked body stops being read at the
 * chunk that crosses it (the connection is then closed, so the rest is never buffered).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooBig = (): HttpError => new HttpError(413, `the body is larger than the server's limit of ${mb(maxBytes)} (--max-bytes)`, { Connection: 'close' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.pause();
    return Promise.reject(tooBig());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        reject(tooBig());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/**
 * The image in a request: the whole body, or with `multipart/form-data` (an HTML form, `curl -F`)
 * the first file field. Multipart is parsed by Node's own fetch implementation (undici).
 */
export async function imageFromBody(body: Buffer, contentType: string | undefined): Promise<{ name: string; data: Uint8Array }> {
  let data: Uint8Array = body;
  let name = 'upload';
  if (contentType && /^multipart\/form-data/i.test(contentType)) {
    let form: FormData;
    try {
      form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    } catch (e) {
      throw new HttpError(400, `the multipart body cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    const file = [...form.values()].find((v) => typeof v !== 'string');
    if (file === undefined || typeof file === 'string') throw new HttpError(400, 'the multipart body has no file field: send the image as a file (curl -F image=@xray.jpeg)');
    data = new Uint8Array(await file.arrayBuffer());
    name = file.name || name;
  }
  if (data.byteLength === 0) throw new HttpError(400, 'the image is empty (0 bytes): send an image file as the body, or as a multipart file field');
  return { name, data };
}
