#!/usr/bin/env node
// The khien command: runs the compiled CLI (npm run build:server makes dist/).
import('../dist/server/main.js').catch((err) => {
  console.error(err);
  process.exit(1);
});
