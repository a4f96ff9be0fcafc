import { cpus, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

/**
 * Benchmark runner: `npm run bench -- <name>` loads `bench/<name>.ts` and calls its `run()`.
 * Prints a machine line first so every recorded figure carries the hardware it was measured on.
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9-]+$/.test(name)) {
    console.error('usage: npm run bench -- <name>   (e.g. auth)');
    process.exit(2);
  }
  const mod = (await import(pathToFileURL(resolve(import.meta.dirname, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') throw new Error(`bench/${name}.ts does not export run()`);
  const cpu = cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown cpu'} | cores: ${cpu.length} | memory: ${Math.round(totalmem() / 2 ** 30)} GiB | node ${process.version} | ${process.platform}/${process.arch}`);
  console.log(`bench: ${name} | started ${new Date().toISOString()}`);
  await mod.run();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
