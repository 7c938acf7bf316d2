import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { ConfigurationError } from '../streaming/errors.js';

/**
 * A seeded random source (xoroshiro128+ from pure-rand): the same seed gives the same sequence
 * on every machine, which is what makes models' random initialisation and mini-batch sampling
 * reproducible.
 */
export class SeededRandom {
  private readonly generator: ReturnType<typeof xoroshiro128plus>;
  private spareGaussian: number | undefined;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new ConfigurationError(`a random seed must be a safe integer, got ${seed}`);
    }
    // pure-rand seeds from 32 bits; fold the high bits in so large seeds still differ.
    this.generator = xoroshiro128plus((seed ^ Math.floor(seed / 2 ** 32)) | 0);
  }

  /** Uniform in [0, 1), 53 random bits. */
  nextDouble(): number {
    return uniformFloat64(this.generator);
  }

  /** Standard normal (Marsaglia's polar method; the second value of each pair is kept). */
  nextGaussian(): number {
    if (this.spareGaussian !== undefined) {
      const spare = this.spareGaussian;
      this.spareGaussian = undefined;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.nextDouble() - 1;
      v = 2 * this.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const scale = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareGaussian = v * scale;
    return u * scale;
  }
}
