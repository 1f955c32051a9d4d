// The service's web page in a real browser (Debian's chromium driven by playwright-core):
// starts `artemis-headless serve` (a temp data dir, a free loopback port) and ~120 fake nodes
// (HTTP servers on 127.0.0.1 in this process), then, through the page only: starts a hunt from
// the form, follows it live to `done`, filters, sorts, pages and downloads its nodes, opens a
// node's JSON tree, the values of a path (groups, minority, stats, outlier), and submits bad
// nodes to see each reason; then (issue #22) what a running hunt waits on, labels (a column,
// group-by, every node of a group) and a schedule's skips and warnings. Then the same with a
// token (without the issue #22 part): asked once, kept for the tab. Then a
// page from a second loopback origin calls the API with the token (--allow-origin) and one
// from a third cannot.
//
// Usage: node webpage.test.mjs ARTEMIS_HEADLESS_BINARY   (CTest: tests/web/CMakeLists.txt)
// ARTEMIS_SCREENSHOTS=DIR also writes the pages as PNGs there (scripts/web-screenshots.sh).
// Waits are on conditions (playwright's expect-like polling with a bound), never fixed sleeps.

import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {serve as startServe} from './serve.mjs';

const here = new URL('.', import.meta.url).pathname;
let chromium;
try {
    ({chromium} = await import(join(here, 'node_modules/playwright-core/index.mjs')));
} catch (error) {
    console.error(`webpage.test: playwright-core is not installed in ${here}node_modules ` +
                  `(scripts/deps.sh test runs npm ci there): ${error.message}`);
    process.exit(1);
}

const binary = process.argv[2];
if (!binary) {
    console.error('usage: node webpage.test.mjs ARTEMIS_HEADLESS_BINARY');
    process.exit(2);
}
const shots = process.env.ARTEMIS_SCREENSHOTS ?? '';
const Bound = 20000; // ms: the bound of every wait
const cleanups = [];

// ---- fake nodes ---------------------------------------------------------------------------

function listen(server) {
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server.address().port));
    });
}

// A node answering `body` as JSON; with `held`, requests wait until release() is called.
async function fakeNode(body, {held = false} = {}) {
    const waiting = [];
    let released = !held;
    const server = http.createServer((req, res) => {
        const answer = () => {
            res.writeHead(200, {'Content-Type': 'application/json'});
            res.end(JSON.stringify(body));
        };
        if (released) {
            answer();
        } else {
            waiting.push(answer);
        }
    });
    const port = await listen(server);
    cleanups.push(() => server.close());
    return {
        node: `127.0.0.1:${port}`,
        release() {
            released = true;
            waiting.splice(0).forEach((answer) => answer());
        },
        waiting: () => waiting.length,
    };
}

// A node that accepts connections and never answers (issue #22: what a running hunt waits on).
async function hangingNode() {
    const sockets = new Set();
    let accepted = 0;
    const server = net.createServer((socket) => {
        accepted += 1;
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
    });
    const port = await listen(server);
    cleanups.push(() => {
        sockets.forEach((socket) => socket.destroy());
        server.close();
    });
    return {node: `127.0.0.1:${port}`, accepted: () => accepted};
}

// A port nothing listens on: bound, read, closed.
async function refusedNode() {
    const server = http.createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    return `127.0.0.1:${port}`;
}

const body = (i, version) => ({
    version,
    note: '<b id="injected">markup in an answer</b>', // must show as text
    // used: 5 distinct values (groups); pct: 61 (a distribution, the odd node its outlier).
    mem: {used: i === -1 ? 5000 : 100 + (i % 4), total: 1024, pct: i === -1 ? 99.5 : 40 + (i % 60) * 0.25},
    cpu: [12.5, 30],
    disks: [{name: 'sda', free: 10}], // disks[0] is folded: built when opened
    labels: {'k8s.io/name': `pod-${i}`},
});

async function fleet() {
    const plain = [];
    for (let i = 0; i < 118; ++i) {
        plain.push(await fakeNode(body(i, '1.4.2')));
    }
    const gate = await fakeNode(body(118, '1.4.2'), {held: true});
    const odd = await fakeNode(body(-1, '1.5.0')); // the minority and the mem.used outlier
    const refused = await refusedNode();
    return {plain, gate, odd, refused, all: [...plain.map((n) => n.node), gate.node, odd.node, refused]};
}

// ---- the service ----------------------------------------------------------------------------

const serve = (env = {}, args = []) => startServe(binary, {cleanups, bound: Bound, env, args});

// ---- the browser ----------------------------------------------------------------------------

async function browser() {
    const profile = mkdtempSync(join(tmpdir(), 'artemis-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        acceptDownloads: true,
        viewport: {width: 1280, height: 800},
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    cleanups.push(async () => {
        await context.close();
        rmSync(profile, {recursive: true, force: true});
    });
    return context;
}

// Console errors, uncaught exceptions and CSP violations fail the test at the end.
const problems = [];
const pages = []; // shown on failure: URL and text of each open page
function watch(page) {
    pages.push(page);
    page.setDefaultTimeout(Bound);
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return page;
}

async function until(what, check) {
    const end = Date.now() + Bound;
    let last;
    for (;;) {
        try {
            last = await check();
            if (last) {
                return last;
            }
        } catch (error) {
            last = error.message;
        }
        if (Date.now() > end) {
            throw new Error(`timed out waiting for ${what} (last: ${last})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}
const text = (page, selector) => page.locator(selector).first().innerText({timeout: Bound});
const rows = (page, table) => page.locator(`${table} tbody tr`).allInnerTexts();
async function shot(page, name, {fullPage = false} = {}) {
    if (shots) {
        await page.screenshot({path: join(shots, name), fullPage});
    }
}

// ---- the scenario ---------------------------------------------------------------------------

async function huntThroughThePage(page, base, nodes, {screenshots, authorization = {}}) {
    // The form: start a hunt.
    await page.goto(`${base}/#/new`);
    await page.fill('#nodes', nodes.all.join('\n'));
    await page.fill('#path', 'metric');
    await page.fill('#timeoutMs', '20000');
    await page.fill('#attempts', '1');
    await page.click('#start');

    // Follows it live: running while the held node waits, then done once it answers (no reload).
    await page.waitForURL(/#\/hunts\/[0-9A-Z]+$/, {timeout: Bound});
    const id = decodeURIComponent(page.url().split('/').pop());
    await until('the held node to be asked', () => nodes.gate.waiting() > 0);
    await until('the state running', async () => (await text(page, '#hunt-state')) === 'running');
    await until('every other node done', async () => (await text(page, '#progress')) === '120 / 121 nodes');
    // Failing first: the refused node, the 119 ok ones folded into a count.
    await until('the failure first', async () => (await text(page, '#range')) === '1–1 of 1 node'
                                               && (await text(page, '#ok-fold')) === '119 ok (show)');
    assert.ok((await rows(page, '#nodes'))[0].startsWith(nodes.refused));
    // The node still waited on is named: in flight, its first attempt of one.
    await until('the held node named', async () => (await text(page, '#waiting h3')).startsWith('Waiting on 1 node')
                                                && (await rows(page, '#unfinished')).length === 1);
    const held = await page.locator('#unfinished tbody tr td').allInnerTexts();
    assert.deepEqual(held.slice(0, 3), [nodes.gate.node, 'in flight', '1 of 1']);
    assert.match(held[3], /^\d+(\.\d)? m?s$/);
    assert.match(await text(page, '#rate'), /^[\d.,]+ nodes\/s$/);
    if (screenshots) {
        await shot(page, 'web-hunt-running.png');
    }
    await page.click('#ok-fold');
    await until('the table live', async () => (await text(page, '#range')) === '1–100 of 120 nodes');
    assert.ok(await page.locator('#fold').isHidden());
    // Values read while it runs say what they cover (issue #22: no silent partial answers).
    await page.goto(`${base}/#/hunts/${id}/values?path=version`);
    await until('the running banner', async () => (await text(page, '#values-coverage'))
        === 'Hunt still running: 120 of 121 done. These values cover only the nodes that have answered so far.');
    await page.goto(`${base}/#/hunts/${id}`);
    await until('the hunt again', async () => (await text(page, '#progress')) === '120 / 121 nodes');
    nodes.gate.release();
    await until('the state done', async () => (await text(page, '#hunt-state')) === 'done');
    assert.equal(await text(page, '#progress'), '121 / 121 nodes');
    assert.equal(await page.locator('#waiting').count(), 0, 'nothing waited on once done');
    assert.equal(await text(page, '#ok-count'), '120');
    assert.equal(await text(page, '#failed-count'), '1');
    assert.equal(await page.locator('#cancel').count(), 0, 'no cancel button on a finished hunt');
    assert.ok(!(await text(page, 'main')).includes('null'), 'nothing rendered as "null"');

    // The per-node table: failing first, unfolded; paged by 100, filtered by outcome and text,
    // and sorted.
    await until('the failure first', async () => (await text(page, '#range')) === '1–1 of 1 node'
                                               && (await text(page, '#ok-fold')) === '120 ok (show)');
    await page.click('#ok-fold');
    await until('page 1 of the nodes', async () => (await text(page, '#range')) === '1–100 of 121 nodes');
    assert.equal((await rows(page, '#nodes')).length, 100);
    await page.click('#next');
    await until('page 2', async () => (await text(page, '#range')) === '101–121 of 121 nodes');
    assert.equal((await rows(page, '#nodes')).length, 21);
    assert.match(page.url(), /offset=100/);
    await page.selectOption('#outcome-filter', 'failed');
    await until('the failed node only', async () => (await text(page, '#range')) === '1–1 of 1 node');
    const failedRow = (await rows(page, '#nodes'))[0];
    assert.ok(failedRow.includes(nodes.refused) && failedRow.includes('refused'), failedRow);
    await page.selectOption('#outcome-filter', '');
    await page.fill('#search', nodes.odd.node.split(':')[1]);
    // The failed filter also showed "1–1 of 1": wait for the searched row itself.
    await until('the searched node', async () => (await text(page, '#range')) === '1–1 of 1 node'
                                                && (await rows(page, '#nodes'))[0]?.startsWith(nodes.odd.node));
    await page.fill('#search', '');
    await page.click('button.sort[data-sort="node"]');
    await until('sorted by node', async () => (await page.locator('button.sort[data-sort="node"]').getAttribute('aria-sort')) === 'ascending');
    const sorted = [...nodes.all].sort();
    await until('the first node by name', async () => (await rows(page, '#nodes'))[0]?.startsWith(sorted[0]));
    await page.click('button.sort[data-sort="node"]');
    await until('the last node first', async () => (await rows(page, '#nodes'))[0]?.startsWith(sorted[sorted.length - 1]));
    await page.click('button.sort[data-sort="outcome"]');
    await page.click('button.sort[data-sort="outcome"]'); // descending: refused before ok
    await until('the failed node first', async () => (await rows(page, '#nodes'))[0]?.startsWith(nodes.refused));
    assert.match(page.url(), /sort=-outcome/);
    if (screenshots) {
        await shot(page, 'web-hunt.png');
    }

    // The downloads: every node, as NDJSON and CSV.
    const [ndjson] = await Promise.all([page.waitForEvent('download', {timeout: Bound}), page.click('text=NDJSON')]);
    const lines = readFileSync(await ndjson.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 121);
    assert.deepEqual(new Set(lines.map((l) => l.node)), new Set(nodes.all));
    assert.equal(lines.find((l) => l.node === nodes.odd.node).body.version, '1.5.0');
    const [csv] = await Promise.all([page.waitForEvent('download', {timeout: Bound}), page.click('text=CSV')]);
    const csvLines = readFileSync(await csv.path(), 'utf8').trim().split(/\r?\n/);
    assert.equal(csvLines.length, 122, 'a header row and one row a node');
    assert.match(csvLines[0], /^node,/);

    // A node's JSON as a tree (found by text first: sorted, it may be on any page).
    await page.fill('#search', nodes.odd.node);
    await until('the odd node alone', async () => (await text(page, '#range')) === '1–1 of 1 node'
                                                 && (await rows(page, '#nodes'))[0]?.startsWith(nodes.odd.node));
    await page.click(`#nodes a:text-is("${nodes.odd.node}")`);
    await page.waitForURL(/\/nodes\//, {timeout: Bound});
    await until('the tree', () => page.locator('#tree [data-path="version"]').count());
    assert.equal(await text(page, '#tree [data-path="version"]'), 'version: "1.5.0"');
    assert.equal(await text(page, '#tree [data-path="mem.used"]'), 'used: 5000');
    assert.equal(await text(page, '#tree [data-path="cpu[1]"]'), '[1]: 30');
    assert.ok((await text(page, '#tree [data-path=\'labels["k8s.io/name"]\']')).includes('"pod--1"'));
    const keys = await page.locator('#tree > details > :is(details, div)').evaluateAll((els) => els.map((e) => e.dataset.path));
    assert.deepEqual(keys.sort(), ['cpu', 'disks', 'labels', 'mem', 'note', 'version']);
    assert.equal(await page.locator('#tree [data-path="disks[0].free"]').count(), 0, 'folded, not built yet');
    await page.click('#tree details[data-path="disks[0]"] > summary');
    assert.equal(await text(page, '#tree [data-path="disks[0].free"]'), 'free: 10');
    await page.click('#tree details[data-path="disks[0]"] > summary'); // folded again for the screenshot
    assert.equal(await text(page, '#tree [data-path="note"]'), 'note: "<b id=\\"injected\\">markup in an answer</b>"');
    assert.equal(await page.locator('#injected').count(), 0, 'answers are text, never markup');
    if (screenshots) {
        await shot(page, 'web-node.png');
    }

    // The values of a path, from a key of the tree: groups, the minority.
    await page.click('#tree [data-path="version"] a.key');
    await page.waitForURL(/\/values\?path=version/, {timeout: Bound});
    await until('the groups', () => page.locator('#groups tbody tr').count());
    const groups = await page.locator('#groups tbody tr').evaluateAll((trs) => trs.map((tr) => ({
        value: tr.dataset.value, count: tr.children[1].textContent, minority: tr.classList.contains('minority'),
    })));
    assert.deepEqual(groups, [{value: '1.4.2', count: '119', minority: false},
                              {value: '1.5.0', count: '1', minority: true}]);
    assert.ok((await text(page, '#values-summary')).includes('Failed\nrefused 1'));
    // A numeric path: stats and the outlier.
    await page.fill('#values-path', 'mem.used');
    await page.press('#values-path', 'Enter');
    await until('the stats', () => page.locator('#stats tbody td').count());
    const stats = await page.locator('#stats tbody td').allInnerTexts();
    assert.deepEqual([stats[0], stats[1], stats[5]], ['120', '100', '5,000']); // count, min, max
    assert.ok(!(await text(page, 'main')).includes('null'), 'nothing rendered as "null"');
    const outliers = await rows(page, '#outliers');
    assert.equal(outliers.length, 1);
    assert.ok(outliers[0].startsWith(nodes.odd.node), outliers[0]);
    if (screenshots) {
        await shot(page, 'web-values.png', {fullPage: true});
    }
    // Many distinct numbers: a distribution (outlier on top, marked; a histogram), no groups.
    await page.fill('#values-path', 'mem.pct');
    await page.press('#values-path', 'Enter');
    await until('the histogram', () => page.locator('#histogram tbody tr').count());
    assert.equal(await page.locator('#groups').count(), 0, 'no list of tiny groups');
    assert.equal(await page.locator('#histogram tbody tr').count(), 20);
    const bucketNodes = (await page.locator('#histogram tbody tr td:last-child').allInnerTexts()).map(Number);
    assert.equal(bucketNodes.reduce((a, b) => a + b, 0), 119, 'every node but the outlier in one bar');
    const distOutliers = await rows(page, '#dist-outliers');
    assert.equal(distOutliers.length, 1);
    assert.ok(distOutliers[0].startsWith(nodes.odd.node) && distOutliers[0].includes('high'), distOutliers[0]);
    const percentiles = await page.locator('#percentiles tbody td').allInnerTexts();
    assert.deepEqual([percentiles[0], percentiles[1], percentiles[5]], ['120', '40', '99.5']);

    // Bad nodes: nothing starts, each is listed with its reason.
    await page.goto(`${base}/#/new`);
    await page.fill('#nodes', `${nodes.odd.node}\nbob@10.0.0.1:9100\n10.0.0.1:99999`);
    await page.click('#start');
    await until('the bad nodes', () => page.locator('#bad-nodes tbody tr').count());
    const bad = await page.locator('#bad-nodes tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    assert.equal(bad.length, 2, JSON.stringify(bad));
    assert.deepEqual(bad[0].slice(0, 2), ['2', 'bob@10.0.0.1:9100']);
    assert.match(bad[0][2], /user-info \('user@'\) is not allowed in a node/);
    assert.deepEqual(bad[1].slice(0, 2), ['3', '10.0.0.1:99999']);
    assert.match(bad[1][2], /port 99999 out of range \(1-65535\)/);
    assert.match(await text(page, '#form-error'), /^Invalid request/);
    if (screenshots) {
        await shot(page, 'web-new.png');
    }
    // A comma inside a range's brackets does not split the line: the range is one (bad) node.
    await page.fill('#nodes', `${nodes.odd.node}, 10.0.0.[1,x]:9100`);
    await page.click('#start');
    await until('the bad range', async () => (await rows(page, '#bad-nodes')).length === 1
                                             && (await rows(page, '#bad-nodes'))[0].includes('[1,x]'));
    const range = await page.locator('#bad-nodes tbody td').allInnerTexts();
    assert.deepEqual(range.slice(0, 2), ['1', '10.0.0.[1,x]:9100']); // both on line 1
    assert.match(range[2], /bad range \[1,x\]: 'x' is not a number/);
    // Issue #22: comments and blank lines are ignored as by the CLI, a bad port range is one
    // row (not one per port), and the row names the line typed.
    await page.fill('#nodes', `# the fleet\n\n${nodes.odd.node} # the odd one\n127.0.0.1:[30000-99999]`);
    await page.click('#start');
    await until('the one bad range', async () => (await rows(page, '#bad-nodes'))[0]?.includes('[30000-99999]'));
    const ports = await page.locator('#bad-nodes tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    assert.equal(ports.length, 1, JSON.stringify(ports));
    assert.equal(ports[0][0], '4');
    assert.match(ports[0][2], /^34464 nodes of the 70000 it expands to; first '127\.0\.0\.1:65536': port 65536 out of range/);

    // The hunts list: the hunt, done, with its counts, and a schedule's round (made by the API).
    const created = await page.request.post(`${base}/api/v1/schedules`, {
        headers: authorization,
        data: {nodes: nodes.plain.slice(0, 3).map((n) => n.node), url: 'metric', every: '1h', spread: 0},
    });
    assert.equal(created.status(), 201, await created.text());
    const {schedule, hunt: round} = await created.json();
    await page.goto(`${base}/#/`);
    const row = page.locator(`#hunts tr[data-hunt="${id}"]`);
    await until('the hunt listed', () => row.count());
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(1, 7), ['done', '/metric', '121 / 121', '120', '1', '']);
    const roundRow = page.locator(`#hunts tr[data-hunt="${round}"]`);
    await until('the round done', async () => (await roundRow.locator('td').nth(1).innerText()) === 'done');
    const roundCells = await roundRow.locator('td').allInnerTexts();
    assert.deepEqual(roundCells.slice(1, 7), ['done', '/metric', '3 / 3', '3', '0', `${schedule.slice(-8)} · round 1`]);
    assert.equal(await page.locator('#hunts tbody tr').count(), 2);
    assert.deepEqual(await page.locator('#hunts tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.hunt)),
                     [round, id], 'newest first');
    if (screenshots) {
        await shot(page, 'web-hunts.png');
    }
    return id;
}

// Issue #22 item 5: a running hunt names what it still waits on. A node that never answers,
// timeout 2 s, 2 attempts: listed in flight at attempt 1 of 2, then at attempt 2 of 2, with its
// age and the recent rate, until it ends as a timeout.
async function waitingView(page, base, nodes) {
    const hang = await hangingNode();
    await page.goto(`${base}/#/new`);
    await page.fill('#nodes', [hang.node, nodes.plain[0].node, nodes.plain[1].node].join('\n'));
    await page.fill('#timeoutMs', '2000');
    await page.fill('#attempts', '2');
    await page.click('#start');
    await page.waitForURL(/#\/hunts\/[0-9A-Z]+$/, {timeout: Bound});
    const waited = async () => page.locator('#unfinished tbody tr td').allInnerTexts();
    await until('attempt 1 in flight', async () => {
        const cells = await waited();
        return cells[0] === hang.node && cells[1] === 'in flight' && cells[2] === '1 of 2';
    });
    await until('the other two done', async () => (await text(page, '#progress')) === '2 / 3 nodes');
    assert.match(await text(page, '#waiting h3'), /^Waiting on 1 node\b/);
    await until('attempt 2 in flight', async () => {
        const cells = await waited();
        return cells[0] === hang.node && cells[1] === 'in flight' && cells[2] === '2 of 2';
    });
    const [, , , age] = await waited();
    assert.match(age, /^\d\.\d s$/, 'waited since the first attempt, over 2 s');
    assert.ok(Number(age.split(' ')[0]) >= 2, age);
    assert.equal(hang.accepted(), 2, 'two attempts, two connections');
    assert.match(await text(page, '#since-last'), /^\s*· no node finished for \d\.\d s$/);
    assert.match(await text(page, '#rate'), /^[\d.]+ nodes\/s$/);
    await shot(page, 'web-hunt-waiting.png');
    await until('the state done', async () => (await text(page, '#hunt-state')) === 'done');
    assert.equal(await page.locator('#waiting').count(), 0);
    assert.equal(await page.locator('#rate').count(), 0, 'no rate once done');
    await until('the timeout first', async () => (await rows(page, '#nodes'))[0]?.startsWith(hang.node));
    const row = await rows(page, '#nodes');
    assert.equal(row.length, 1);
    assert.match(row[0], /\ttimeout\t/);
    return hang;
}

// Issue #22 item 7: labels wherever a user looks. The fleet with labels (dc, and rack on most
// nodes; the odd node alone in rack r7), given through the API (the form takes no labels).
const labelsOf = (i) => ({dc: i < 59 ? 'fra1' : 'ams1', ...(i % 10 === 9 ? {} : {rack: `r${i % 3}`})});
async function labelViews(page, base, nodes, authorization = {}) {
    const given = [...nodes.plain.map((n, i) => ({node: n.node, labels: labelsOf(i)})),
                   {node: nodes.gate.node, labels: labelsOf(118)},
                   {node: nodes.odd.node, labels: {dc: 'fra1', rack: 'r7'}},
                   nodes.refused];
    const created = await page.request.post(`${base}/api/v1/hunts`, {
        headers: authorization, data: {nodes: given, url: 'metric', options: {attempts: 1}},
    });
    assert.equal(created.status(), 202, await created.text());
    const {hunt} = await created.json();

    // The hunt's table: a labels column, each row its node's labels.
    await page.goto(`${base}/#/hunts/${hunt}`);
    await until('the state done', async () => (await text(page, '#hunt-state')) === 'done');
    assert.equal(await text(page, '#labels-head'), 'Labels');
    await page.fill('#search', nodes.odd.node);
    await page.click('#ok-fold');
    await until('the odd node', async () => (await text(page, '#range')) === '1–1 of 1 node'
                                          && (await rows(page, '#nodes'))[0]?.startsWith(nodes.odd.node));
    assert.deepEqual(await page.locator('#nodes tbody td.labels .chip').allInnerTexts(), ['dc=fra1', 'rack=r7']);
    await shot(page, 'web-hunt-labels.png');
    await page.fill('#search', nodes.plain[9].node);
    await until('a node without a rack', async () => (await rows(page, '#nodes'))[0]?.startsWith(nodes.plain[9].node)
                                                    && (await text(page, '#range')) === '1–1 of 1 node');
    assert.deepEqual(await page.locator('#nodes tbody td.labels .chip').allInnerTexts(), ['dc=fra1']);

    // Values grouped by the labels the hunt has: one row per combination seen.
    await page.goto(`${base}/#/hunts/${hunt}/values?path=version`);
    await until('the label choice', async () => (await page.locator('#group-by input').count()) === 2);
    assert.deepEqual(await page.locator('#group-by input').evaluateAll((els) => els.map((e) => e.value)), ['dc', 'rack']);
    await page.check('#group-by input[value="dc"]');
    await page.waitForURL(/groupBy=label%3Adc$/, {timeout: Bound});
    await until('by dc', async () => (await page.locator('#by-label tbody tr').count()) === 3);
    await page.check('#group-by input[value="rack"]');
    await page.waitForURL(/groupBy=label%3Adc%2Clabel%3Arack$/, {timeout: Bound});
    const combos = new Set(given.map((g) => (g.labels ? `dc=${g.labels.dc},rack=${g.labels.rack ?? ''}` : 'dc=,rack=')));
    await until('by dc and rack', async () => (await page.locator('#by-label tbody tr').count()) === combos.size);
    const slices = await page.locator('#by-label tbody tr').evaluateAll((trs) => trs.map((tr) => ({
        labels: tr.dataset.labels, nodes: tr.children[1].textContent, values: tr.children[5].textContent,
    })));
    assert.deepEqual(new Set(slices.map((x) => x.labels)), combos);
    assert.equal(slices[slices.length - 1].labels, 'dc=,rack=', 'the unlabelled nodes last');
    const r7 = slices.find((x) => x.labels === 'dc=fra1,rack=r7');
    assert.deepEqual([r7.nodes, r7.values], ['1', '1.5.0 × 1']);
    // The fleet's minority marks the rack holding it, though it is that rack's only value.
    assert.deepEqual(await page.locator('#by-label tr.minority').evaluateAll((trs) => trs.map((tr) => tr.dataset.labels)),
                     ['dc=fra1,rack=r7']);
    assert.equal(await page.locator('#by-label tbody tr:last-child td:last-child').innerText(), 'no values');
    assert.deepEqual(await page.locator('#by-label tbody tr:last-child .chip').allInnerTexts(), ['no dc', 'no rack']);

    // Every node of a group, paged, each a link (not "and 111 more" as text).
    const big = page.locator('#groups tr[data-value="1.4.2"]');
    assert.equal(await big.locator('a').count(), 8);
    assert.match(await big.locator('td:last-child').innerText(), /and 111 more all 119 nodes$/);
    await big.locator('button.all-nodes').click();
    const panel = page.locator('.group-nodes');
    await until('page 1 of the group', async () => (await panel.locator('.range').innerText()) === '1–100 of 119 nodes');
    const listed = await panel.locator('.node-list a').allInnerTexts();
    assert.equal(listed.length, 100);
    await shot(page, 'web-values-labels.png', {fullPage: true});
    await panel.locator('button.next').click();
    await until('page 2 of the group', async () => (await panel.locator('.range').innerText()) === '101–119 of 119 nodes');
    listed.push(...await panel.locator('.node-list a').allInnerTexts());
    assert.deepEqual(new Set(listed), new Set([...nodes.plain.map((n) => n.node), nodes.gate.node]));
    assert.ok(await panel.locator('button.next').isDisabled());
    await panel.locator('.node-list a').last().click();
    await page.waitForURL(/\/nodes\//, {timeout: Bound});
    await until('the node', async () => (await text(page, '#node-name')) === listed[listed.length - 1]);

    // A path no node has: the warning, and the nearest paths as links.
    await page.goto(`${base}/#/hunts/${hunt}/values?path=versio`);
    await until('the warning', () => page.locator('.values-warning').count());
    assert.equal(await text(page, '.values-warning'),
                 "no node has 'versio' (120 nodes answered without it); did you mean version (120 nodes)?");
    assert.match(await text(page, '#values-suggestions'), /^Did you mean version \(120 nodes\)/);
    await page.click('#values-suggestions a[data-path="version"]');
    await page.waitForURL(/path=version(&|$)/, {timeout: Bound});
    await until('the groups', () => page.locator('#groups tbody tr[data-value="1.4.2"]').count());
    assert.equal(await page.locator('.values-warning').count(), 0);
}

// Issue #22 item 3: a schedule whose round outlasts its interval (deadline 3 s, every 1 s, a node
// that never answers) shows its warning and its skipped rounds, and its rounds link both ways.
async function scheduleViews(page, base, hang, authorization = {}) {
    const created = await page.request.post(`${base}/api/v1/schedules`, {
        headers: authorization,
        data: {nodes: [hang.node], url: 'metric', every: '1s', deadline: '3s', spread: 0, rounds: 2,
               options: {timeoutMs: 2500, attempts: 1}},
    });
    assert.equal(created.status(), 201, await created.text());
    const {schedule, hunt, warnings} = await created.json();
    assert.equal(warnings.length, 1);
    await page.goto(`${base}/#/schedules`);
    const row = page.locator(`#schedules tr[data-schedule="${schedule}"]`);
    await until('a skipped round', async () => /^\d+ rounds? — last /.test(await row.locator('td').nth(4).innerText()));
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(0, 3), [schedule, 'metric', '1s']);
    assert.match(cells[3], /^[12] of 2$/); // round 2 starts once round 1 has timed out
    assert.match(cells[4], new RegExp(`^\\d+ rounds? — last [\\d-]+ [\\d:]+: round 1 \\(hunt ${hunt}\\) is still running$`));
    assert.equal(cells[5], warnings[0]);
    assert.ok(await row.evaluate((tr) => tr.classList.contains('warned')));
    assert.equal(await page.locator('#schedules tbody tr').count(), 2, 'and the hourly one');
    await shot(page, 'web-schedules.png');

    await row.locator('a').first().click();
    await page.waitForURL(new RegExp(`#/schedules/${schedule}$`), {timeout: Bound});
    await until('the rounds', () => page.locator(`#rounds tr[data-hunt="${hunt}"]`).count());
    assert.deepEqual(await page.locator('#schedule-warnings li').allInnerTexts(), warnings);
    assert.match(await text(page, '#schedule-skipped'), /^Skipped: \d+ rounds? — last .*is still running$/);
    await page.click(`#rounds tr[data-hunt="${hunt}"] a`);
    await page.waitForURL(new RegExp(`#/hunts/${hunt}$`), {timeout: Bound});
    await until('the round', async () => (await text(page, '#hunt-schedule')) === `schedule ${schedule}, round 1`);
    await page.click('#hunt-schedule a');
    await page.waitForURL(new RegExp(`#/schedules/${schedule}$`), {timeout: Bound});
    // Deleted from the list's view (its own view would poll a 404): gone from the list.
    await page.click('nav a[data-nav="schedules"]');
    await until('the list', () => row.count());
    const removed = await page.request.delete(`${base}/api/v1/schedules/${schedule}`, {headers: authorization});
    assert.equal(removed.status(), 200);
    await until('the schedule gone', async () => (await row.count()) === 0);
}

async function withoutToken(context) {
    const service = await serve();
    const nodes = await fleet();
    const page = watch(await context.newPage());

    // The page's files: types, the policy, revalidation.
    const index = await page.request.get(`${service.base}/`);
    assert.equal(index.status(), 200);
    assert.equal(index.headers()['content-type'], 'text/html; charset=utf-8');
    assert.match(index.headers()['content-security-policy'], /^default-src 'self';/);
    assert.equal(index.headers()['cache-control'], 'no-cache');
    const js = await page.request.get(`${service.base}/web/app.js`);
    assert.equal(js.headers()['content-type'], 'text/javascript; charset=utf-8');
    const again = await page.request.get(`${service.base}/web/app.js`, {headers: {'If-None-Match': js.headers().etag}});
    assert.equal(again.status(), 304);
    assert.equal((await page.request.get(`${service.base}/web/nothing.js`)).status(), 404);

    await huntThroughThePage(page, service.base, nodes, {screenshots: true});
    const hang = await waitingView(page, service.base, nodes);
    await labelViews(page, service.base, nodes);
    await scheduleViews(page, service.base, hang);
    assert.equal(await page.locator('#token-dialog[open]').count(), 0, 'no token asked without one');
    await page.close();
}

async function withToken(context) {
    const token = 'web-test-token-7';
    const service = await serve({ARTEMIS_TOKEN: token});
    const nodes = await fleet();
    const page = watch(await context.newPage());
    // Asked at the first 401; a wrong token is refused and asked again.
    let asked = 0;
    await page.exposeFunction('countAsk', () => { asked += 1; });
    await page.addInitScript(() => {
        const show = HTMLDialogElement.prototype.showModal;
        HTMLDialogElement.prototype.showModal = function () { window.countAsk(); return show.call(this); };
    });
    await page.goto(`${service.base}/`);
    await page.waitForSelector('#token-dialog[open]', {timeout: Bound});
    await page.fill('#token-input', 'wrong');
    await page.click('#token-form button[type=submit]');
    await until('the refusal', async () => (await text(page, '#token-error')) === 'The service refused that token.');
    await page.fill('#token-input', token);
    await page.click('#token-form button[type=submit]');
    await until('the hunts list', () => page.locator('#hunts tbody td.empty:text("No hunts yet")').count());
    assert.equal(asked, 2);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('artemis.token')), token);
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing kept beyond the tab');

    // Everything, downloads too, with the token kept: not asked again.
    const id = await huntThroughThePage(page, service.base, nodes,
                                        {screenshots: false, authorization: {Authorization: `Bearer ${token}`}});
    await page.reload();
    await page.goto(`${service.base}/#/hunts/${id}`);
    await until('the hunt after a reload', async () => (await text(page, '#hunt-state')) === 'done');
    assert.equal(asked, 2, 'the token was asked once (plus once after the wrong one)');

    // Another tab does not have it.
    const other = watch(await context.newPage());
    await other.goto(`${service.base}/`);
    await other.waitForSelector('#token-dialog[open]', {timeout: Bound});
    await other.close();
    await page.close();
}

// A page on its own loopback origin (another port: another origin) that calls `api` with the
// token from a script, as a dashboard would: a JSON POST with `Authorization` needs the CORS
// preflight. Resolves to what the call saw ("201 ..." or the error's message).
async function pageOrigin() {
    const server = http.createServer((req, res) => {
        res.writeHead(200, {'Content-Type': 'text/html'});
        res.end('<!doctype html><title>dashboard</title><p>dashboard</p>');
    });
    const port = await listen(server);
    cleanups.push(() => server.close());
    return `http://127.0.0.1:${port}`;
}

async function callFrom(context, origin, base, token) {
    const page = await context.newPage();
    page.setDefaultTimeout(Bound);
    await page.goto(`${origin}/`);
    const seen = await page.evaluate(async ({base, token}) => {
        try {
            const headers = {Authorization: `Bearer ${token}`, 'Content-Type': 'application/json'};
            const list = await fetch(`${base}/api/v1/hunts`, {headers});
            const hunt = await fetch(`${base}/api/v1/hunts`, {
                method: 'POST', headers,
                body: JSON.stringify({nodes: ['127.0.0.1:1'], url: 'metric'}),
            });
            return `${list.status} ${hunt.status} ${(await hunt.json()).hunt ? 'hunt' : 'none'}`;
        } catch (error) {
            return `refused: ${error.message}`;
        }
    }, {base, token});
    await page.close();
    return seen;
}

// Issue #21 item 10: --allow-origin lets a page there call the API with the token (preflight
// 204, answers readable); a page from any other origin cannot read a thing.
async function crossOrigin(context) {
    const token = 'web-test-token-cors';
    const allowed = await pageOrigin();
    const other = await pageOrigin();
    const service = await serve({ARTEMIS_TOKEN: token}, ['--allow-origin', allowed]);
    assert.equal(await callFrom(context, allowed, service.base, token), '200 202 hunt');
    assert.match(await callFrom(context, other, service.base, token), /^refused: /);
}

const started = Date.now();
let failed = false;
try {
    const context = await browser();
    await withoutToken(context);
    await withToken(context);
    await crossOrigin(context);
    // The browser logs the answers it was meant to get: the bad nodes' 400s (three a scenario)
    // and the token scenario's 401s.
    const unexpected = problems.filter((p) => !/status of 40[01] /.test(p));
    assert.equal(problems.filter((p) => /status of 400 /.test(p)).length, 6);
    assert.deepEqual(unexpected, [], 'console errors, page errors or CSP violations');
    console.log(`webpage.test: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
    failed = true;
    console.error(`webpage.test: FAILED: ${error.stack ?? error}`);
    for (const page of pages.filter((p) => !p.isClosed())) {
        const shown = await page.locator('body').innerText({timeout: 2000}).catch((e) => e.message);
        console.error(`--- ${page.url()}\n${shown.slice(0, 4000)}`);
    }
    console.error(problems.join('\n'));
} finally {
    for (const cleanup of cleanups.reverse()) {
        try {
            await cleanup();
        } catch {
            // best effort: the process exits next
        }
    }
}
process.exit(failed ? 1 : 0);
