// Runs the scikit-learn side: spawns Debian's /usr/bin/python3 (the one python3-sklearn installs
// into; the first python3 on PATH is another interpreter without it) with a script from
// benchmarks/python/, passes a JSON request on stdin and parses the JSON it prints.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const scripts = fileURLToPath(new URL('../python/', import.meta.url));

/**
 * The environment for python. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are set on some of this
 * project's machines to keep old OpenBLAS builds safe; they slow a current numpy, so for a fair
 * comparison both are removed together for the benchmark's python alone (and the removal recorded).
 */
function pythonEnvironment() {
  // No __pycache__ left in the repository by the benchmark's own python modules.
  const environment = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  const removed = {};
  for (const key of ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE']) {
    if (key in environment) {
      removed[key] = environment[key];
      delete environment[key];
    }
  }
  return { environment, removed };
}

/**
 * Runs `benchmarks/python/<script>` with `request` as JSON on stdin and `extraEnvironment` added
 * to its environment (thread limits); returns the JSON it prints.
 */
export function runPython(script, request = {}, extraEnvironment = {}) {
  const { environment } = pythonEnvironment();
  const child = spawnSync(PYTHON, [`${scripts}${script}`], {
    input: JSON.stringify(request),
    env: { ...environment, ...extraEnvironment },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (child.error) throw child.error;
  if (child.status !== 0) {
    throw new Error(`${PYTHON} ${script} exited with ${child.status}:\n${child.stderr}`);
  }
  return JSON.parse(child.stdout);
}

/**
 * What the scikit-learn side has: { available, reason?, python, numpy, sklearn, threadpools,
 * thread_env, removedEnv }. Never throws: a missing interpreter or package becomes a reason.
 */
export function probePython() {
  const { removed } = pythonEnvironment();
  if (!existsSync(PYTHON)) {
    return { available: false, reason: `${PYTHON} not found`, removedEnv: removed };
  }
  try {
    const info = runPython('environment.py');
    const available = Boolean(info.numpy && info.sklearn);
    const reason = available
      ? undefined
      : `scikit-learn is missing for ${PYTHON} (apt-get install python3-sklearn): ` +
        `${info.sklearn_error ?? info.numpy_error}`;
    return { available, ...(reason ? { reason } : {}), ...info, removedEnv: removed };
  } catch (error) {
    return { available: false, reason: String(error), removedEnv: removed };
  }
}

/**
 * The thread settings the scikit-learn side is measured under: its default (every core, for
 * OpenMP and BLAS) and one thread. With other work on a 2-core machine, OpenMP's barriers can
 * make the default far slower than one thread, so both are measured and the faster one counts.
 */
export function sklearnThreadSettings(python) {
  const openmp = python.threadpools?.find((pool) => pool.internal_api === 'openmp');
  const defaultThreads = openmp?.num_threads ?? 1;
  const one = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const settings = [{ label: `${defaultThreads} threads`, threads: defaultThreads, env: {} }];
  if (defaultThreads !== 1) settings.push({ label: '1 thread', threads: 1, env: one });
  return settings;
}
