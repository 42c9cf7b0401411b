/**
 * Distinct-client counting in bounded memory: exact up to a limit, then a HyperLogLog sketch
 * (precision 14: 16 KiB, about 0.8% standard error).
 */

const PRECISION = 14;
const REGISTERS = 1 << PRECISION;

export interface DistinctCounter {
  add(key: string): void;
  count(): number;
  /** True once the counter switched to the sketch. */
  readonly approximate: boolean;
}

export function createDistinctCounter(exactLimit = 100_000): DistinctCounter {
  let exact: Set<string> | null = new Set();
  let sketch: HyperLogLog | null = null;
  return {
    add(key) {
      if (exact) {
        exact.add(key);
        if (exact.size > exactLimit) {
          sketch = new HyperLogLog();
          for (const k of exact) sketch.add(k);
          exact = null;
        }
      } else sketch!.add(key);
    },
    count: () => (exact ? exact.size : Math.round(sketch!.estimate())),
    get approximate() {
      return exact === null;
    },
  };
}

export class HyperLogLog {
  private readonly registers = new Uint8Array(REGISTERS);

  add(key: string): void {
    const index = hash32(key, 0x811c9dc5) >>> (32 - PRECISION);
    const bits = hash32(key, 0x01000193 ^ 0x5bd1e995);
    // Rank: position of the first 1 bit in an independent 32-bit hash (33 when all zero).
    const rank = bits === 0 ? 33 : Math.clz32(bits) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / REGISTERS);
    const raw = (alpha * REGISTERS * REGISTERS) / sum;
    if (raw <= 2.5 * REGISTERS && zeros > 0) return REGISTERS * Math.log(REGISTERS / zeros);
    return raw;
  }
}

/** FNV-1a over UTF-16 code units with a murmur3 finaliser for avalanche. */
function hash32(key: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
