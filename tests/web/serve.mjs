// `artemis-headless serve` as a child process, for the browser test and scripts/web-demo.mjs:
// a temp data dir, a free loopback port read from its start line (within `bound` ms); the
// clean-up it pushes onto `cleanups` SIGKILLs it and removes the data dir.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export async function serve(binary, {cleanups, bound, env = {}, args = []}) {
    const dataDir = mkdtempSync(join(tmpdir(), 'artemis-web-'));
    const child = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...args],
                        {env: {...process.env, ...env}, stdio: ['ignore', 'ignore', 'pipe']});
    cleanups.push(() => {
        child.kill('SIGKILL');
        rmSync(dataDir, {recursive: true, force: true});
    });
    let stderr = '';
    const port = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), bound);
        child.stderr.on('data', (chunk) => {
            stderr += chunk;
            const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
            if (m) {
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    return {base: `http://127.0.0.1:${port}`, stderr: () => stderr};
}
