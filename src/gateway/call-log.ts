import type { GatewayCall, GatewayCallLog } from './ports.js';

/**
 * The last calls per application, kept in this process's memory: a developer's "what just happened" view, not
 * an audit log (it forgets on restart). Bounded per client and in the number of clients. With Redis configured,
 * RedisCallLog keeps them where every process sees them.
 */
export class RingCallLog implements GatewayCallLog {
  private readonly byClient = new Map<string, GatewayCall[]>();

  constructor(
    private readonly perClient = 50,
    private readonly maxClients = 10_000,
  ) {}

  record(call: GatewayCall): void {
    let calls = this.byClient.get(call.clientId);
    if (!calls) {
      if (this.byClient.size >= this.maxClients) {
        const oldest = this.byClient.keys().next().value;
        if (oldest !== undefined) this.byClient.delete(oldest);
      }
      calls = [];
      this.byClient.set(call.clientId, calls);
    }
    calls.unshift(call);
    if (calls.length > this.perClient) calls.length = this.perClient;
  }

  async recent(clientId: string, limit = this.perClient): Promise<GatewayCall[]> {
    return (this.byClient.get(clientId) ?? []).slice(0, Math.max(0, limit));
  }
}
