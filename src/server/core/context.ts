import type { FastifyBaseLogger } from 'fastify';
import type { Db, DialectName } from '../db/database.js';
import type { Config } from './config.js';
import type { Keys } from './keys.js';

/**
 * What modules receive at registration: narrow, explicit dependencies (no container, no autoload).
 * `clock` is injectable so tests can move time (session expiry, TOTP steps, lockouts).
 */
export interface AppDeps {
  config: Config;
  db: Db;
  dialect: DialectName;
  keys: Keys;
  clock: () => number;
  log: FastifyBaseLogger;
}
