// #/hunts/ID/values?path=P : one JSON path across the hunt's nodes, from the values API: groups of
// identical values (minorities marked), number stats and outliers; a numeric path with many
// distinct values as its distribution instead (outliers on top, then a histogram).
import {api, errorText} from './api.js';
import {append, enc, h, number, route} from './dom.js';

const NodesShown = 8; // per group; the API sends up to `nodes`

const text = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
const nodeLink = (hunt, node) => h('a', {class: 'mono', href: route(`/hunts/${enc(hunt)}/nodes/${enc(node)}`)}, node);
const fixed = (n) => (typeof n === 'number' ? (Number.isInteger(n) ? number(n) : n.toLocaleString('en-US', {maximumFractionDigits: 3})) : '');

// The answer's `distribution` (core/valuedistribution.h): percentiles, the outliers first and
// marked by side, then one bar per bucket scaled to the fullest.
function renderDistribution(content, hunt, d) {
    const keys = ['count', 'min', 'p50', 'p90', 'p99', 'max'];
    content.append(h('h2', {}, 'Distribution'),
        h('div', {class: 'table-wrap'}, h('table', {id: 'percentiles'},
            h('thead', {}, h('tr', {}, keys.map((k) => h('th', {class: 'num'}, k)))),
            h('tbody', {}, h('tr', {}, keys.map((k) => h('td', {class: 'num'}, fixed(d[k]))))))));
    if (d.outliers.length) {
        content.append(h('h3', {}, `Outliers (${number(d.outlierCount)})`),
            h('p', {class: 'muted'}, 'Modified z-score over 3.5 (median and MAD); not in the histogram below.'),
            h('div', {class: 'table-wrap'}, h('table', {id: 'dist-outliers'},
                h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'Value'), h('th', {}, ''), h('th', {class: 'num'}, 'Score'))),
                h('tbody', {}, d.outliers.map((o) => h('tr', {class: 'outlier', dataset: {side: o.side}},
                    h('td', {}, nodeLink(hunt, o.node)), h('td', {class: 'mono'}, text(o.value)),
                    h('td', {}, h('span', {class: 'badge bad'}, o.side === 'high' ? '▲ high' : '▼ low')),
                    h('td', {class: 'num'}, fixed(o.score))))))));
    }
    const most = Math.max(1, ...d.buckets.map((b) => b.nodes));
    const bars = h('tbody', {});
    for (const b of d.buckets) {
        const bar = h('i', {});
        bar.style.width = `${(100 * b.nodes / most).toFixed(1)}%`;
        bars.append(h('tr', {dataset: {lo: b.lo, hi: b.hi}},
            h('td', {class: 'num mono'}, `${fixed(b.lo)} – ${fixed(b.hi)}`),
            h('td', {class: 'hist'}, h('span', {class: 'share'}, bar)),
            h('td', {class: 'num'}, number(b.nodes))));
    }
    content.append(h('h3', {}, 'Histogram'),
        h('div', {class: 'table-wrap'}, h('table', {id: 'histogram'},
            h('thead', {}, h('tr', {}, h('th', {class: 'num'}, 'Range'), h('th', {}, ''), h('th', {class: 'num'}, 'Nodes'))),
            bars)));
}

export function renderValues(main, hunt, params) {
    const path = params.get('path') ?? '';
    const input = h('input', {id: 'values-path', value: path, 'aria-label': 'JSON path', required: true,
                              placeholder: 'mem.used, cpu[0], labels["k8s.io/name"]'});
    const content = h('div', {}, path ? h('p', {class: 'muted'}, 'Loading…') : null);
    main.append(
        h('p', {}, h('a', {href: route(`/hunts/${enc(hunt)}`)}, `← Hunt ${hunt}`)),
        h('h1', {}, 'Values of ', h('span', {class: 'mono', id: 'values-title'}, path || '…')),
        h('form', {class: 'toolbar', onsubmit: (event) => {
            event.preventDefault();
            location.hash = route(`/hunts/${enc(hunt)}/values`, {path: input.value.trim()});
        }}, input, h('button', {type: 'submit'}, 'Show')),
        content);
    if (!path) {
        return () => {};
    }
    let gone = false;
    (async () => {
        const q = new URLSearchParams({path, groups: 50, nodes: NodesShown});
        const answer = await api(`/api/v1/hunts/${enc(hunt)}/values?${q}`);
        if (gone) {
            return;
        }
        content.replaceChildren();
        if (!answer.ok) {
            content.append(h('p', {class: 'error', id: 'values-error'}, errorText(answer)));
            return;
        }
        const v = answer.data;
        const failed = Object.entries(v.failed ?? {});
        // An answer from a hunt that is not done covers only its finished nodes: say so first.
        if (v.state && v.state !== 'done') {
            const what = v.state === 'running' || v.state === 'queued' ? `still ${v.state}` : v.state;
            content.append(h('p', {class: 'banner', id: 'values-coverage'},
                `Hunt ${what}: ${number(v.done)} of ${number(v.total)} done. `
                + 'These values cover only the nodes that have answered so far.'));
        }
        content.append(h('div', {class: 'card facts', id: 'values-summary'},
            h('div', {}, h('span', {}, 'Nodes'), number(v.nodes)),
            h('div', {}, h('span', {}, 'With a value'), number(v.withValue)),
            h('div', {}, h('span', {}, 'Missing the path'), number(v.missing)),
            h('div', {}, h('span', {}, 'Failed'),
              failed.length ? failed.map(([k, n]) => `${k} ${number(n)}`).join(', ') : '0'),
            h('div', {}, h('span', {}, 'Distinct values'), number(v.groupCount))));
        if (v.distribution) {
            renderDistribution(content, hunt, v.distribution); // instead of many tiny groups
            return;
        }

        const groups = h('tbody', {});
        for (const g of v.groups ?? []) {
            const bar = h('i', {});
            bar.style.width = `${(100 * g.share).toFixed(1)}%`;
            const more = g.count - g.nodes.length;
            groups.append(h('tr', {class: g.minority ? 'minority' : '', dataset: {value: text(g.value)}},
                h('td', {class: 'mono wrap'}, text(g.value)),
                h('td', {class: 'num'}, number(g.count)),
                h('td', {}, h('span', {class: 'share'}, bar), `${(100 * g.share).toFixed(1)}%`),
                h('td', {}, g.minority ? h('span', {class: 'badge bad'}, 'minority') : ''),
                h('td', {class: 'wrap'}, g.nodes.map((n, i) => [i ? ', ' : '', nodeLink(hunt, n)]),
                  more > 0 ? ` and ${number(more)} more` : '')));
        }
        append(content, [h('h2', {}, 'Groups'),
            v.groupCount > (v.groups ?? []).length
                ? h('p', {class: 'muted'}, `The ${v.groups.length} largest of ${number(v.groupCount)} groups.`) : null,
            h('div', {class: 'table-wrap'}, h('table', {id: 'groups'},
                h('thead', {}, h('tr', {}, h('th', {}, 'Value'), h('th', {class: 'num'}, 'Nodes'),
                                 h('th', {}, 'Share'), h('th', {}, ''), h('th', {}, 'Which'))),
                groups))]);

        if (v.stats) {
            const s = v.stats;
            content.append(h('h2', {}, 'Numbers'), h('div', {class: 'table-wrap'}, h('table', {id: 'stats'},
                h('thead', {}, h('tr', {}, ['count', 'min', 'p50', 'p90', 'p99', 'max', 'mean'].map((k) => h('th', {class: 'num'}, k)))),
                h('tbody', {}, h('tr', {}, ['count', 'min', 'p50', 'p90', 'p99', 'max', 'mean'].map((k) => h('td', {class: 'num'}, fixed(s[k]))))))));
        }
        if ((v.outliers ?? []).length) {
            content.append(h('h2', {}, 'Outliers'), h('p', {class: 'muted'}, 'Modified z-score over 3.5 (median and MAD).'),
                h('div', {class: 'table-wrap'}, h('table', {id: 'outliers'},
                    h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'Value'), h('th', {class: 'num'}, 'Number'), h('th', {class: 'num'}, 'Score'))),
                    h('tbody', {}, v.outliers.map((o) => h('tr', {},
                        h('td', {}, nodeLink(hunt, o.node)), h('td', {class: 'mono'}, text(o.value)),
                        h('td', {class: 'num'}, fixed(o.number)), h('td', {class: 'num'}, fixed(o.score))))))));
        }
    })();
    return () => { gone = true; };
}
