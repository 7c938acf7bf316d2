// A small seeded generator for synthetic data: the same seed gives the same data on every machine,
// so millrace and scikit-learn can be compared on identical streams run after run.

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 32-bit state words) seeded through
 * splitmix32, with Box-Muller Gaussians. Fast enough to make tens of millions of values per second.
 */
export class SeededRandom {
  constructor(seed) {
    let s = seed >>> 0;
    const splitmix32 = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32();
    this.spare = undefined;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble() {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  nextInt(n) {
    return Math.floor(this.nextDouble() * n);
  }

  /** A standard normal value (Box-Muller; the second value of each pair is kept for next time). */
  nextGaussian() {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.nextDouble();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * this.nextDouble();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}
