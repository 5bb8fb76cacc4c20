import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Applications } from './applications.js';
import { CLIENT_CREDENTIALS_SCOPES } from './scopes.js';

export interface DemoApp {
  clientId: string;
  clientSecret: string;
  scopes: string[];
  files: { privateKeyPkcs1: string; privateKeyPkcs8: string; publicKey: string; credentials: string };
}

function filesIn(dir: string): DemoApp['files'] {
  return {
    privateKeyPkcs1: path.join(dir, 'private-key.pem'),
    privateKeyPkcs8: path.join(dir, 'private-key.pkcs8.pem'),
    publicKey: path.join(dir, 'public-key.pem'),
    credentials: path.join(dir, 'credentials.json'),
  };
}

/** Writes through a temporary file so a reader never sees half a key; private material is 0600. */
function writeFile(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

export function readDemoApp(dataDir: string): DemoApp | null {
  const files = filesIn(path.join(dataDir, 'demo-app'));
  try {
    const saved = JSON.parse(fs.readFileSync(files.credentials, 'utf8')) as Partial<DemoApp>;
    if (typeof saved.clientId !== 'string' || typeof saved.clientSecret !== 'string') return null;
    return { clientId: saved.clientId, clientSecret: saved.clientSecret, scopes: saved.scopes ?? [], files };
  } catch {
    return null;
  }
}

/**
 * The demo application of the default corporate customer, with every client-credentials scope and a fresh
 * 2048-bit key pair under `<dataDir>/demo-app/`. Idempotent: kept as long as its saved secret still works.
 */
export async function ensureDemoApp(applications: Applications, dataDir: string): Promise<DemoApp> {
  const existing = readDemoApp(dataDir);
  if (existing && fs.existsSync(existing.files.privateKeyPkcs1) && (await applications.authenticate(existing.clientId, existing.clientSecret))) {
    return existing;
  }
  const dir = path.join(dataDir, 'demo-app');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = filesIn(dir);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const created = await applications.create({ name: 'imzala demo application', publicKey: publicPem, scopes: CLIENT_CREDENTIALS_SCOPES });
  writeFile(files.privateKeyPkcs1, privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), 0o600);
  writeFile(files.privateKeyPkcs8, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  writeFile(files.publicKey, publicPem, 0o644);
  const demo: DemoApp = { clientId: created.application.clientId, clientSecret: created.clientSecret, scopes: created.application.scopes, files };
  writeFile(files.credentials, `${JSON.stringify({ clientId: demo.clientId, clientSecret: demo.clientSecret, scopes: demo.scopes }, null, 2)}\n`, 0o600);
  return demo;
}
