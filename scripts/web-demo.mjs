// The web page's screenshots from a 2,000-node demo fleet (scripts/screenshots.sh runs it):
// starts 2,000 fake nodes on 127.0.0.1 (one HTTP server each, in this process) and
// `artemis-headless serve` on a free loopback port with a temp data dir, hunts the fleet through
// the API, then opens the hunt, its values and a node in headless Chromium (playwright-core
// from tests/web/node_modules) and writes web-*.png to OUT_DIR.
// The fleet is the GUI's demo (gui/demonodes.cpp): 47 nodes answer 503, one HTML; versions
// with two minorities; disk.root.used_pct over 221 values with four nearly full disks.
//
// Usage: node scripts/web-demo.mjs ARTEMIS_HEADLESS_BINARY OUT_DIR
import {mkdtempSync, rmSync} from 'node:fs';
import http from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const [binary, out] = process.argv.slice(2);
if (!binary || !out) {
    console.error('usage: node scripts/web-demo.mjs ARTEMIS_HEADLESS_BINARY OUT_DIR');
    process.exit(2);
}
const here = new URL('.', import.meta.url).pathname;
const {serve} = await import(join(here, '../tests/web/serve.mjs'));
const {chromium} = await import(join(here, '../tests/web/node_modules/playwright-core/index.mjs'));
const Nodes = 2000;
const Bound = 15000; // ms: the bound of every wait
const cleanups = [];

const body = (i) => ({
    host: `node-${String(i + 1).padStart(4, '0')}`,
    version: i % 50 === 0 ? '1.4.2' : i % 333 === 1 ? '1.5.1-rc1' : '1.5.0',
    mem: {used: `${35 + (i * 37) % 60}%`, total: `${8 << (i % 3)}G`},
    cpu: {cores: 4 << (i % 3), usage: 5 + (i * 53) % 90 + (i % 4) * 0.25},
    disk: {root: {used_pct: i % 500 === 77 ? 97.5 + (i % 3) * 0.5 : Math.round((40 + ((i * 37) % 221) * 0.1) * 10) / 10}},
    healthy: i % 9 !== 3,
});

async function node(i) {
    const server = http.createServer((req, res) => {
        if (i % 43 === 5) {
            res.writeHead(503, {'Content-Type': 'application/json'});
            res.end('{"error":"maintenance"}');
        } else if (i === 11) {
            res.writeHead(200, {'Content-Type': 'text/html'});
            res.end('<html><body>It works!</body></html>');
        } else {
            res.writeHead(200, {'Content-Type': 'application/json'});
            res.end(JSON.stringify(body(i)));
        }
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
    });
    cleanups.push(() => server.close());
    return `127.0.0.1:${server.address().port}`;
}

let debug = null;
async function until(what, check) {
    const end = Date.now() + Bound;
    while (Date.now() < end) {
        if (await check()) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}${debug ? `: ${await debug()}` : ''}`);
}

let code = 0;
try {
    const nodes = [];
    for (let i = 0; i < Nodes; ++i) {
        nodes.push(await node(i));
    }
    const {base} = await serve(binary, {cleanups, bound: Bound});
    const started = await fetch(`${base}/api/v1/hunts`, {
        method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({nodes, url: 'metric', options: {timeoutMs: 5000, attempts: 1}}),
        signal: AbortSignal.timeout(Bound),
    });
    const {hunt} = await started.json();
    await until('the hunt to finish', async () => {
        const info = await (await fetch(`${base}/api/v1/hunts/${hunt}`, {signal: AbortSignal.timeout(Bound)})).json();
        return info.state === 'done';
    });

    const profile = mkdtempSync(join(tmpdir(), 'artemis-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: '/usr/bin/chromium', headless: true, viewport: {width: 1280, height: 800},
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    cleanups.push(async () => {
        await context.close();
        rmSync(profile, {recursive: true, force: true});
    });
    const page = await context.newPage();
    debug = async () => (await page.locator('main').innerText()).slice(0, 400);
    const shot = (name, fullPage = false) => page.screenshot({path: join(out, name), fullPage});

    await page.goto(`${base}/#/`);
    await until('the hunt list', () => page.locator(`#hunts tr[data-hunt="${hunt}"]`).count());
    await shot('web-hunts.png');
    // Failing first: 48 failures listed, the 1,952 ok nodes folded.
    await page.goto(`${base}/#/hunts/${hunt}`);
    await until('the fold', async () => (await page.locator('#ok-fold').isVisible())
                                       && (await page.locator('#nodes tbody tr').count()) > 1);
    await shot('web-hunt.png');
    await page.goto(`${base}/#/hunts/${hunt}/values?path=disk.root.used_pct`);
    await until('the histogram', () => page.locator('#histogram tbody tr').count());
    await shot('web-values.png', true);
    await page.goto(`${base}/#/hunts/${hunt}/values?path=version`);
    await until('the groups', () => page.locator('#groups tbody tr').count());
    await shot('web-values-groups.png');
    await page.goto(`${base}/#/hunts/${hunt}/nodes/${encodeURIComponent(nodes[77])}`);
    await until('the tree', () => page.locator('#tree [data-path="disk.root.used_pct"], #tree [data-path="disk"]').count());
    await shot('web-node.png');
    console.log(`web-demo: wrote web-hunts, web-hunt, web-values, web-values-groups, web-node .png in ${out}`);
} catch (error) {
    console.error(`web-demo: ${error.message}`);
    code = 1;
}
for (const c of cleanups.reverse()) {
    await c();
}
process.exit(code);
