// Command-line options every benchmark script understands.

/**
 * `--quick`: a short run (fewer points and runs) to check that a script works, not to measure.
 * `--runs=N`: recorded runs per row (default 5, quick 2). `--only=a,b`: only these parts.
 * `--contenders=a,b`: only these implementations (engine.mjs; for profiling one of them).
 * `--no-sklearn`: leave out the scikit-learn side (to profile or iterate on millrace alone).
 * Any of these but --runs makes a scratch run: its JSON goes to results/scratch/ (ignored by git),
 * so only complete runs replace the published results.
 */
export function parseArgs(argv = process.argv.slice(2)) {
  const quick = argv.includes('--quick');
  const value = (name) => argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  const runs = Number(value('runs') ?? (quick ? 2 : 5));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be >= 1, got ${runs}`);
  const only = value('only')?.split(',');
  const contenders = value('contenders')?.split(',');
  const skipSklearn = argv.includes('--no-sklearn');
  return {
    quick,
    runs,
    skipSklearn,
    isScratch: quick || only !== undefined || contenders !== undefined || skipSklearn,
    wants: (part) => only === undefined || only.includes(part),
    wantsContender: (name) => contenders === undefined || contenders.includes(name),
  };
}
