/**
 * Seeded randomness for specs, so a failure can be replayed: the seed comes from SKYSHELVE_SEED
 * when set (decimal), else from the clock, and `seeded` prints it once per name.
 */

/** mulberry32: a small, fast 32-bit PRNG; good enough to drive workloads, not for cryptography. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed to use: SKYSHELVE_SEED if set, else a fresh one. */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.SKYSHELVE_SEED;
  if (given === undefined || given === '') return (Date.now() ^ (process.pid << 16)) >>> 0;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new TypeError(`SKYSHELVE_SEED must be a whole number from 0 to 2^32-1, got '${given}'`);
  return n;
}

/** A seeded generator for one workload; prints `name: seed N (replay with SKYSHELVE_SEED=N)`. */
export function seeded(name: string): { seed: number; random: () => number } {
  const seed = seedFromEnv();
  console.log(`      ${name}: seed ${seed} (replay with SKYSHELVE_SEED=${seed})`);
  return { seed, random: prng(seed) };
}

/** `n` pseudo-random bytes from `random`. */
export function randomBytesFrom(random: () => number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
  return out;
}
