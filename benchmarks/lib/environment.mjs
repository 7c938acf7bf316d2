// What a result was measured on: machine, versions, date, commit. Written into every JSON file so
// figures from different machines or commits are never compared unawares.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem, type } from 'node:os';
import { createRequire } from 'node:module';
import { canCollectGarbage } from './stats.mjs';

const root = new URL('../../', import.meta.url);
const require = createRequire(root);

function packageVersion(name) {
  try {
    const path =
      name === 'millrace' ? new URL('package.json', root) : require.resolve(`${name}/package.json`);
    return JSON.parse(readFileSync(path, 'utf8')).version;
  } catch {
    return null;
  }
}

function osName() {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? type();
  } catch {
    return type();
  }
}

function gitCommit() {
  try {
    const options = { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], options).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'src'], options).trim();
    return { commit, srcChangedSinceCommit: changed.length > 0 };
  } catch {
    return { commit: null, srcChangedSinceCommit: null };
  }
}

/**
 * Machine and version facts for a results file; `python` is probePython()'s answer, if any.
 * Warns when other work already keeps the machine busy: such figures are noisy.
 */
export function describeEnvironment(python) {
  const cores = cpus();
  if (loadavg()[0] > cores.length / 2) {
    console.warn(
      `warning: load average ${loadavg()[0].toFixed(2)} on ${cores.length} cores: other work is ` +
        'running, figures will be noisy (the JSON records the load)',
    );
  }
  return {
    date: new Date().toISOString(),
    machine: {
      cpu: cores[0]?.model.trim() ?? 'unknown',
      cores: cores.length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
      // Load when the run began: other work on a shared machine makes figures noisy.
      loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
      os: `${osName()} (${type()} ${release()})`,
    },
    versions: {
      node: process.version,
      millrace: packageVersion('millrace'),
      rxjs: packageVersion('rxjs'),
      ...(python
        ? {
            python: python.python ?? null,
            numpy: python.numpy ?? null,
            sklearn: python.sklearn ?? null,
          }
        : {}),
    },
    ...(python
      ? {
          sklearnSide: {
            available: python.available,
            ...(python.reason ? { reason: python.reason } : {}),
            interpreter: python.executable ?? null,
            threadpools: python.threadpools ?? [],
            threadEnvironment: python.thread_env ?? {},
            removedEnvironment: python.removedEnv ?? {},
          },
        }
      : {}),
    millraceSide: { gcBetweenRuns: canCollectGarbage },
    git: gitCommit(),
  };
}
