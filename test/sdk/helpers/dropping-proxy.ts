import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a real server that cuts connections: when a request's bytes match `drop` (and it has
 * drops left), both sockets are destroyed before the request reaches the server. A real network failure, as
 * the client sees it, with the live server behind.
 */
export class DroppingProxy {
  url = '';
  dropped = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly upstream: URL,
    public drop: { match: RegExp; times: number } = { match: /$^/, times: 0 },
  ) {}

  async start(): Promise<this> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(this.upstream.port), this.upstream.hostname);
      this.sockets.add(client).add(upstream);
      const kill = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('data', (chunk: Buffer) => {
        if (this.drop.times > 0 && this.drop.match.test(chunk.toString('latin1'))) {
          this.drop.times--;
          this.dropped++;
          return kill();
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      client.on('close', () => upstream.end());
      upstream.on('close', () => client.end());
      client.on('error', kill);
      upstream.on('error', kill);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
