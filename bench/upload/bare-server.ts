// The baseline: a bare Node HTTP server that streams each request body to its own file and answers 200.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2]!;
let n = 0;
const server = http.createServer((req, res) => {
  const file = path.join(dir, String(n++));
  pipeline(req, fs.createWriteStream(file)).then(
    () => res.end('{}'),
    (err: Error) => {
      res.statusCode = 500;
      res.end(err.message);
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
