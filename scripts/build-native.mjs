// Builds the native kernels (native/kernels.c) with node-gyp and puts the addon beside the
// sources' kernel modules (src/models/kernels/millrace-kernels.node), from where `npm run build`
// copies it into dist/. The native kernels are optional: when they can't be built (no C
// compiler, no Node headers), this says why and leaves every kernel to WebAssembly, unless
// MILLRACE_REQUIRE_NATIVE=1 (CI sets it), which makes that an error.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${root}src/models/kernels/millrace-kernels.node`;
// npm runs scripts with its bundled node-gyp's path in npm_config_node_gyp. node-gyp needs the
// headers of this Node.js: from npm_config_nodedir when set, else the ones installed beside the
// node binary (<prefix>/include/node), so that no download is needed; only without either does
// node-gyp try to fetch them.
const nodeGyp = process.env.npm_config_node_gyp;
const prefix = dirname(dirname(process.execPath));
const localHeaders = existsSync(join(prefix, 'include', 'node', 'node_api.h'));
const gypArguments = [
  'rebuild',
  ...(process.env.npm_config_nodedir === undefined && localHeaders ? [`--nodedir=${prefix}`] : []),
];
const command =
  nodeGyp === undefined
    ? ['node-gyp', gypArguments]
    : [process.execPath, [nodeGyp, ...gypArguments]];

rmSync(target, { force: true });
try {
  execFileSync(command[0], command[1], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  copyFileSync(`${root}build/Release/millrace_kernels.node`, target);
  console.log('native kernels built: src/models/kernels/millrace-kernels.node');
} catch (error) {
  const stderr = error.stderr?.toString().trim().split('\n').slice(-5).join('\n') ?? '';
  const message = `native kernels not built (every kernel will run on WebAssembly): ${error.message.split('\n')[0]}\n${stderr}`;
  if (process.env.MILLRACE_REQUIRE_NATIVE === '1') {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
}
