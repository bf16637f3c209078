import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../src/tracking/file-store.js';
import { DEFAULT_OFFLINE_DIR, openStore, resolveTrackingUri } from '../../src/tracking/open-store.js';
import { ResilientStore } from '../../src/tracking/resilient-store.js';
import { RestStore } from '../../src/tracking/rest-store.js';

describe('openStore', () => {
  it('takes the flag, else MLFLOW_TRACKING_URI, else ./runs', () => {
    expect(resolveTrackingUri('http://a:5000', { MLFLOW_TRACKING_URI: 'http://b' })).toBe('http://a:5000');
    expect(resolveTrackingUri(undefined, { MLFLOW_TRACKING_URI: 'http://b' })).toBe('http://b');
    expect(resolveTrackingUri(undefined, {})).toBe('./runs');
    expect(openStore(undefined, { env: {} }).uri).toBe(pathToFileURL(resolve('runs')).href);
  });

  it('opens a server URI with a local fallback, or bare when asked', () => {
    const store = openStore('https://mlflow.example.com/', { env: {} });
    expect(store).toBeInstanceOf(ResilientStore);
    expect(store.uri).toBe('https://mlflow.example.com/');
    expect((store as ResilientStore).local.root).toBe(resolve(DEFAULT_OFFLINE_DIR));
    expect(openStore('http://127.0.0.1:5000', { env: {}, offlineFallback: false })).toBeInstanceOf(RestStore);
  });

  it('opens file:// URIs and plain paths as file stores', () => {
    const dir = join('/tmp', 'some runs');
    const fromUri = openStore(pathToFileURL(dir).href, { env: {} });
    expect(fromUri).toBeInstanceOf(FileStore);
    expect((fromUri as FileStore).root).toBe(dir);
    expect((openStore(dir, { env: {} }) as FileStore).root).toBe(dir);
  });

  it('explains unsupported schemes', () => {
    expect(() => openStore('sqlite:///mlflow.db', { env: {} })).toThrow(/mlflow server --backend-store-uri sqlite:\/\/\/mlflow.db/);
  });
});
