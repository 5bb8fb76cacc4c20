// Builds the XAdES engine's native part (native/xades.c, binding.gyp) with the node-gyp npm ships: the package's
// install script, so `npm ci` runs it. Without a C compiler or Node's headers the build fails; XAdES then runs in
// JavaScript alone, about twice as slow on large documents, so this warns and lets the install go on.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeGyp =
  process.env.npm_config_node_gyp ?? path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const build = spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: root, encoding: 'utf8' });
if (build.status === 0) {
  process.stdout.write("imzala: built the XAdES engine's native part (build/Release/xades.node)\n");
} else {
  const why = `${build.stdout ?? ''}${build.stderr ?? ''}`.split('\n').filter((l) => /error|ERR!/.test(l)).slice(0, 8).join('\n');
  process.stderr.write(`imzala: the XAdES engine's native part was not built; XAdES runs in JavaScript alone (slower on large documents).\n${why || build.error?.message || ''}\n`);
}
