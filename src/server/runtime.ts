import type { Config } from './core/config.js';
import { createKeys, type Keys, loadMasterKey } from './core/keys.js';
import { type DatabaseHandle, openDatabase } from './db/database.js';

/** What every CLI command needs: config, the database and the instance keys. */
export interface Runtime {
  config: Config;
  handle: DatabaseHandle;
  keys: Keys;
  clock: () => number;
}

export function openRuntime(config: Config): Runtime {
  const handle = openDatabase(config.databaseUrl);
  const keys = createKeys(loadMasterKey(config.secretKey, config.dataDir));
  return { config, handle, keys, clock: Date.now };
}
