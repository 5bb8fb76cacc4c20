import { createHash, randomUUID } from 'node:crypto';
import { RecordingServer, type RecordedRequest, type Reply } from './recorder.js';

/**
 * A recording server that answers the Onaylarım v2 contract (onaylarim-facts.md) from memory, with fault
 * injection: it shows what the SDK puts on the wire and how it copes with a server like the vendor's (a status
 * without signingState, refusals in the vendor's words). It is not imzala's e-signature service: the live
 * tests (live-onaylarim.test.ts, test/cli) sign against that.
 */
export class ESignRecorder {
  readonly server: RecordingServer;
  readonly documents = new Map<string, { name: string; data: Buffer; signedFrom?: string }>();
  readonly sessions = new Map<string, { operationId: string; chunkSize: number; totalChunks: number; chunks: Map<number, Buffer> }>();
  readonly states = new Map<string, { state: string; signedOperationId?: string }>();
  /** chunk index → attempts to drop (socket destroyed after the body arrived) */
  dropChunk = new Map<number, number>();
  /** What the phone does with a signing request. */
  phone: (req: Record<string, unknown>) => Promise<'approve' | 'refuse'> = async () => 'approve';
  apiKey = 'test-api-key';

  constructor() {
    this.server = new RecordingServer((req) => this.handle(req));
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }
  get url(): string {
    return this.server.url;
  }

  private ok(result: unknown): Reply {
    return { json: { result, error: null } };
  }
  private fail(error: string): Reply {
    return { json: { result: null, error } };
  }

  private async handle(req: RecordedRequest): Promise<Reply> {
    if (req.headers['x-api-key'] !== this.apiKey) return { status: 401, json: { result: null, error: 'invalid API key' } };
    const path = req.path.toLowerCase();
    const json = (): Record<string, unknown> => JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    switch (path) {
      case '/v2/coreapifile/uploadfile': {
        const file = parseMultipartFile(req);
        const operationId = randomUUID();
        this.documents.set(operationId, file);
        this.states.set(operationId, { state: 'uploaded' });
        return this.ok({ isSuccess: true, operationId });
      }
      case '/v2/coreapifile/chunkinit': {
        const body = json();
        const uploadSessionId = randomUUID();
        const operationId = randomUUID();
        this.sessions.set(uploadSessionId, { operationId, chunkSize: Number(body.chunkSize), totalChunks: Number(body.totalChunks), chunks: new Map() });
        return this.ok({ uploadSessionId, operationId, chunkSize: body.chunkSize, totalChunks: body.totalChunks });
      }
      case '/v2/coreapifile/chunkupload': {
        const session = this.sessions.get(String(req.headers.uploadsessionid));
        if (!session) return this.fail('upload session not found');
        const index = Number(req.headers.chunkindex);
        const drops = this.dropChunk.get(index) ?? 0;
        if (drops > 0) {
          this.dropChunk.set(index, drops - 1);
          return 'destroy';
        }
        session.chunks.set(index, req.body);
        return this.ok({ accepted: true });
      }
      case '/v2/coreapifile/getuploadstatus': {
        const session = this.sessions.get(String(json().uploadSessionId));
        if (!session) return this.fail('upload session not found');
        return this.ok({ totalChunks: session.totalChunks, receivedChunkIndices: [...session.chunks.keys()].sort((a, b) => a - b) });
      }
      case '/v2/coreapifile/chunkcomplete': {
        const id = String(json().uploadSessionId);
        const session = this.sessions.get(id);
        if (!session) return this.fail('upload session not found');
        if (session.chunks.size !== session.totalChunks) return this.fail('chunks missing');
        const data = Buffer.concat([...session.chunks.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b));
        this.documents.set(session.operationId, { name: 'chunked', data });
        this.states.set(session.operationId, { state: 'uploaded' });
        this.sessions.delete(id);
        return this.ok({ isSuccess: true, operationId: session.operationId });
      }
      case '/v2/coreapifile/chunkabort':
        return this.ok({ aborted: this.sessions.delete(String(json().uploadSessionId)) });
      case '/v2/coreapifile/downloadcore': {
        const operationId = String(json().operationId);
        const doc = this.documents.get(operationId);
        if (!doc) return this.fail('operation not found');
        return this.ok({ operationId, fileData: doc.data.toString('base64'), fileName: doc.name });
      }
      case '/v2/coreapixadesmobile/signsteponexadesmobilecore': {
        const body = json();
        const source = String(body.operationId);
        const doc = this.documents.get(source);
        if (!doc) return this.fail('operation not found');
        this.states.set(source, { state: 'waiting' });
        const answer = await this.phone(body);
        if (answer === 'refuse') {
          this.states.set(source, { state: 'refused' });
          return this.fail('İmza işlemi kullanıcı tarafından iptal edildi');
        }
        const signed = randomUUID();
        this.documents.set(signed, { name: `${doc.name}.xml`, data: Buffer.concat([Buffer.from('<signed>'), doc.data]), signedFrom: source });
        this.states.set(source, { state: 'signed', signedOperationId: signed });
        this.states.set(signed, { state: 'signed' });
        return this.ok({ isSuccess: true, operationId: signed });
      }
      case '/v2/coreapifingerprint/getfingerprintcore': {
        const operationId = String(json().operationId);
        const doc = this.documents.get(operationId);
        if (!doc || this.states.get(operationId)?.state !== 'waiting') return this.fail('fingerprint not ready');
        return this.ok({ fingerPrint: createHash('sha256').update(doc.data).digest('hex').toUpperCase() });
      }
      case '/v2/coreapioperation/getoperationstatuscore': {
        const operationId = String(json().operationId);
        const state = this.states.get(operationId);
        if (!state) return this.fail('operation not found');
        return this.ok({ operationId, ...state });
      }
      default:
        return { status: 404, text: 'Not Found' };
    }
  }
}

function parseMultipartFile(req: RecordedRequest): { name: string; data: Buffer } {
  const boundary = /boundary=(.+)$/.exec(String(req.headers['content-type']))?.[1];
  if (!boundary) throw new Error('no multipart boundary');
  const body = req.body;
  const fileHeader = body.indexOf('name="file"');
  const start = body.indexOf('\r\n\r\n', fileHeader) + 4;
  const end = body.lastIndexOf(Buffer.from(`\r\n--${boundary}--`));
  const head = body.subarray(fileHeader, start).toString('utf8');
  const name = /filename="([^"]*)"/.exec(head)?.[1] ?? '';
  return { name, data: body.subarray(start, end) };
}
