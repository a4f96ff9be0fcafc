#!/usr/bin/env -S node --max-semi-space-size=64
// The khien command: runs the compiled CLI (npm run build:server makes dist/). The V8 flag raises the young
// generation's semi-space from 16 to 64 MiB: under a stream of events the SOC pipeline's batch-lived objects then
// die young (a 200,000-event ingest: 57 scavenges instead of 160, GC pauses −37 %; docs/benchmarks.md).
import('../dist/server/main.js').catch((err) => {
  console.error(err);
  process.exit(1);
});
