import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PartMigrations } from './migrations.js';

/**
 * One bounded part of the system (identity, gateway, banking, esign, trust, mssp, …). Parts talk to each other
 * only through the typed services the composition root (src/app.ts) hands them, never through each other's tables.
 */
export interface Part {
  readonly name: string;
  readonly migrations: PartMigrations;
  /** Registers the part's routes in its own encapsulated fastify context (its own error handler, parsers). */
  routes?(app: FastifyInstance): Promise<void>;
  /** First-start data; must be idempotent because every `serve` and CLI run calls it. */
  seed?(): Promise<void>;
  /** Lines `imzala serve` prints once listening (e.g. the demo application's credentials). */
  banner?(): Promise<string[]>;
  /** Background work while serving; resolves to a function that stops it. */
  start?(): Promise<() => Promise<void>>;
  /** Answers unrouted URLs that fall in this part's space, in the part's own error shape. */
  notFound?: { matches(url: string): boolean; reply(request: FastifyRequest, reply: FastifyReply): unknown };
}
