import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { testConfig } from '../helpers/platform.js';
import { esignHarness, expectApiError, type Harness } from './helpers.js';

describe('tenants and API keys', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await esignHarness();
  });
  afterAll(async () => h.cleanup());

  it('needs X-API-KEY on every endpoint; a wrong or revoked key is refused in ApiResult, in the asked language', async () => {
    const missing = await h.post(undefined, '/v2/CoreApiFile/DownloadCore', { operationId: '6f1c1a2e-0000-4000-8000-000000000000', displayLanguage: 'en' }, { displaylanguage: 'en' });
    expect(expectApiError(missing, 401)).toBe('The X-API-KEY header is required.');
    expect(expectApiError(await h.post(undefined, '/v2/CoreApiFile/ChunkInit', {}), 401)).toBe('X-API-KEY başlığı gerekli.');
    expectApiError(await h.post('imz_wrong', '/v2/CoreApiFile/UploadFile', {}), 401);
    expectApiError(await h.chunk('imz_wrong', '6f1c1a2e-0000-4000-8000-000000000000', 0, Buffer.from('x')), 401);
    const { tenant, apiKey } = await h.services.tenants.create('short-lived');
    expect((await h.upload(apiKey, Buffer.from('hello'))).statusCode).toBe(200);
    await h.services.tenants.revoke(tenant.id);
    expectApiError(await h.upload(apiKey, Buffer.from('hello')), 401);
  });

  it('stores keys only as hashes', async () => {
    const { apiKey } = await h.services.tenants.create('hashed');
    const rows = await h.system.platform.database.db.withTables<{ esign_tenants: Record<string, unknown> }>().selectFrom('esign_tenants').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(apiKey);
    expect(JSON.stringify(rows)).not.toContain(apiKey.slice(12));
  });

  it("isolates tenants: another tenant's operation or session answers exactly as an unknown one", async () => {
    const alice = await h.newKey('alice');
    const bob = await h.newKey('bob');
    const up = await h.upload(alice, randomBytes(1000));
    const opId = up.json().result.operationId as string;
    const unknown = '6f1c1a2e-0000-4000-8000-000000000000';
    for (const url of ['/v2/CoreApiFile/DownloadCore', '/v2/CoreApiOperation/GetOperationStatusCore', '/CoreApiDownload/DownloadSignedFileCore', '/v2/CoreApiFile/DownloadRawCore']) {
      const theirs = await h.post(bob, url, { operationId: opId });
      const none = await h.post(bob, url, { operationId: unknown });
      expectApiError(theirs, 404);
      expect(theirs.statusCode).toBe(none.statusCode);
      expect(theirs.body.replace(opId, 'ID')).toBe(none.body.replace(unknown, 'ID'));
    }
    // The original owner still sees it.
    expect((await h.post(alice, '/v2/CoreApiFile/DownloadCore', { operationId: opId })).statusCode).toBe(200);

    const init = await h.post(alice, '/v2/CoreApiFile/ChunkInit', { chunkSize: 10, totalSize: 10, totalChunks: 1, requestId: h.requestId() });
    const session = init.json().result.uploadSessionId as string;
    const theirStatus = await h.post(bob, '/v2/CoreApiFile/GetUploadStatus', { uploadSessionId: session });
    const noStatus = await h.post(bob, '/v2/CoreApiFile/GetUploadStatus', { uploadSessionId: unknown });
    expect(theirStatus.body.replace(session, 'ID')).toBe(noStatus.body.replace(unknown, 'ID'));
    expectApiError(await h.chunk(bob, session, 0, randomBytes(10)), 404);
    expectApiError(await h.post(bob, '/v2/CoreApiFile/ChunkComplete', { uploadSessionId: session, requestId: h.requestId() }), 404);
    expectApiError(await h.post(bob, '/v2/CoreApiFile/ChunkAbort', { uploadSessionId: session, requestId: h.requestId() }), 404);

    // v1 client-chosen ids are per tenant: bob may use the id alice used, and each sees their own file.
    const bobUp = await h.upload(bob, Buffer.from('bob'), 'b.txt', '/CoreApiPades/SignStepOneUploadFile', { operationid: opId });
    expect(bobUp.statusCode, bobUp.body).toBe(200);
    expect((await h.download(bob, opId)).data.toString()).toBe('bob');
    expect((await h.download(alice, opId)).data.length).toBe(1000);
  });

  it('answers unknown CoreApi paths with ApiResult 404', async () => {
    const key = await h.newKey();
    for (const url of ['/v2/CoreApiFile/NoSuchThing', '/V2.0/coreapinothing/x', '/CoreApiPades/Nope']) {
      expectApiError(await h.post(key, url, {}), 404);
    }
  });
});

describe('imzala esign keys', () => {
  it('creates (JSON), lists and revokes keys; exit codes 0 / 1 / 2', async () => {
    const { config, cleanup } = await testConfig();
    const data = ['--data', config.dataDir, '--database-url', config.databaseUrl];
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['node', 'imzala', 'esign', 'keys', 'create', '--name', 'acme', '--json', ...data])).toBe(0);
      const created = JSON.parse(out.pop()!) as { apiKey: string; tenantId: string };
      expect(created.apiKey).toMatch(/^imz_[A-Za-z0-9_-]{43}$/);
      expect(await main(['node', 'imzala', 'esign', 'keys', 'list', '--json', ...data])).toBe(0);
      const list = JSON.parse(out.pop()!) as Array<{ tenantId: string; name: string; revokedAt: string | null }>;
      expect(list).toEqual([expect.objectContaining({ tenantId: created.tenantId, name: 'acme', revokedAt: null })]);
      expect(JSON.stringify(list)).not.toContain(created.apiKey);
      expect(await main(['node', 'imzala', 'esign', 'keys', 'revoke', 'acme', '--json', ...data])).toBe(0);
      expect(JSON.parse(out.pop()!)[0].revokedAt).not.toBeNull();
      expect(await main(['node', 'imzala', 'esign', 'keys', 'revoke', 'acme', ...data])).toBe(1);
      expect(await main(['node', 'imzala', 'esign', 'keys', 'create', ...data])).toBe(2);
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
      await cleanup();
    }
  });
});

describe('OpenAPI', () => {
  it('documents the CoreApi routes (one path per route, aliases hidden)', async () => {
    const h = await esignHarness();
    try {
      await h.app.ready();
      const doc = h.app.swagger() as { paths: Record<string, unknown> };
      for (const p of ['/v2/CoreApiFile/UploadFile', '/v2/CoreApiFile/ChunkUpload', '/CoreApiPades/SignStepOneUploadFile', '/v2/CoreApiOperation/GetOperationStatusCore']) {
        expect(doc.paths[p], p).toBeDefined();
      }
      expect(Object.keys(doc.paths).some((p) => p.startsWith('/v2.0/'))).toBe(false);
    } finally {
      await h.cleanup();
    }
  });
});
