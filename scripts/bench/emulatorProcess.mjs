// The emulator program in its own process, for the benchmarks: started, measured, stopped.
import { spawn } from 'node:child_process';

/** Starts the emulator program `cli` (a compiled cli.js) with `extra` arguments on a free port, with
 *  --expose-gc so that /_emulator/health?gc=true can collect; resolves when it prints its URL. */
export function launchEmulator(cli, extra) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--expose-gc', '-e', `require(${JSON.stringify(cli)}).main(process.argv.slice(1))`, '--', '--port', '0', '--quiet', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1], ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}: ${out}`)));
  });
}

/** Stops what launchEmulator started. */
export function stopEmulator(e) {
  return new Promise((r) => { e.child.removeAllListeners('exit'); e.child.once('exit', r); e.child.kill('SIGTERM'); });
}

/** Its memory at rest: after a moment and two collections. */
export async function memoryAtRest(e) {
  await new Promise((r) => setTimeout(r, 500));
  await fetch(`${e.url}/_emulator/health?gc=true`);
  return (await (await fetch(`${e.url}/_emulator/health?gc=true`)).json()).memory;
}
