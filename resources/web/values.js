// #/hunts/ID/values?path=P : one JSON path across the hunt's nodes, from the values API: groups of
// identical values (minorities marked), number stats and outliers; a numeric path with many
// distinct values as its distribution instead (outliers on top, then a histogram). Every node of
// a group can be listed, a page at a time; the values can be split by the hunt's labels
// (groupBy=label:dc,label:rack: one row per combination); a path no node has says so and offers
// the nearest paths the hunt has.
import {api, errorText} from './api.js';
import {append, clear, count, enc, h, number, route} from './dom.js';

const NodesShown = 8; // per group; the API sends up to `nodes`
const NodePage = 100; // a group's nodes listed a page at a time
const SliceValues = 5; // values shown per label combination
const MaxNodesPerGroup = 100000; // the values API's bound on `nodes`

const text = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
const nodeLink = (hunt, node) => h('a', {class: 'mono', href: route(`/hunts/${enc(hunt)}/nodes/${enc(node)}`)}, node);
const fixed = (n) => (typeof n === 'number' ? (Number.isInteger(n) ? number(n) : n.toLocaleString('en-US', {maximumFractionDigits: 3})) : '');

// The answer's `distribution` (core/fleet/valuedistribution.h): percentiles, the outliers first and
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

// groupBy=label:dc,label:rack <-> ['dc', 'rack'].
const parseGroupBy = (text) => (text ?? '').split(',').map((t) => t.trim().replace(/^label:/, '')).filter(Boolean);
const groupByText = (names) => names.map((n) => `label:${n}`).join(',');

// One group's every node, NodePage at a time: the values API for that group alone
// (groups=1&groupOffset=INDEX) with nodes= up to the page's end, so a page costs what it shows
// and those before it, never the whole fleet's node list.
function groupNodes(hunt, path, index, group) {
    const panel = h('div', {class: 'group-nodes', dataset: {group: index}});
    let offset = 0;
    const show = async () => {
        clear(panel).append(h('p', {class: 'muted'}, 'Loading…'));
        const q = new URLSearchParams({path, groups: 1, groupOffset: index, nodes: Math.min(offset + NodePage, MaxNodesPerGroup)});
        const answer = await api(`/api/v1/hunts/${enc(hunt)}/values?${q}`);
        clear(panel);
        const g = answer.ok ? answer.data.groups?.[0] : null;
        if (!answer.ok || !g || text(g.value) !== text(group.value)) {
            panel.append(h('p', {class: 'error'}, answer.ok ? 'The groups have changed: reload the page.' : errorText(answer)));
            return;
        }
        const nodes = g.nodes.slice(offset, offset + NodePage);
        const last = offset + nodes.length;
        panel.append(
            h('div', {class: 'node-list'}, nodes.map((n) => nodeLink(hunt, n))),
            h('div', {class: 'pager'},
              h('button', {type: 'button', class: 'prev', disabled: offset === 0,
                           onclick: () => { offset = Math.max(0, offset - NodePage); show(); }}, '← Previous'),
              h('span', {class: 'range'}, `${number(offset + 1)}–${number(last)} of ${count(g.count, 'node')}`),
              h('button', {type: 'button', class: 'next', disabled: last >= Math.min(g.count, MaxNodesPerGroup),
                           onclick: () => { offset += NodePage; show(); }}, 'Next →')));
    };
    show();
    return panel;
}

function renderGroups(content, hunt, path, v) {
    const groups = h('tbody', {});
    (v.groups ?? []).forEach((g, i) => {
        const bar = h('i', {});
        bar.style.width = `${(100 * g.share).toFixed(1)}%`;
        const more = g.count - g.nodes.length;
        const row = h('tr', {class: g.minority ? 'minority' : '', dataset: {value: text(g.value)}},
            h('td', {class: 'mono wrap'}, text(g.value)),
            h('td', {class: 'num'}, number(g.count)),
            h('td', {}, h('span', {class: 'share'}, bar), `${(100 * g.share).toFixed(1)}%`),
            h('td', {}, g.minority ? h('span', {class: 'badge bad'}, 'minority') : ''));
        const which = h('td', {class: 'wrap'}, g.nodes.map((n, k) => [k ? ', ' : '', nodeLink(hunt, n)]));
        row.append(which);
        groups.append(row);
        if (more > 0) {
            // Every node of the group, paged, in a row of its own under the group.
            let listRow = null;
            const toggle = h('button', {type: 'button', class: 'all-nodes', onclick: () => {
                if (listRow) {
                    listRow.remove();
                    listRow = null;
                    toggle.textContent = `all ${count(g.count, 'node')}`;
                    return;
                }
                listRow = h('tr', {class: 'group-nodes-row'},
                            h('td', {colspan: 5}, groupNodes(hunt, path, (v.groupOffset ?? 0) + i, g)));
                row.after(listRow);
                toggle.textContent = 'hide';
            }}, `all ${count(g.count, 'node')}`);
            which.append(` and ${number(more)} more `, toggle);
        }
    });
    append(content, [h('h2', {}, 'Groups'),
        v.groupCount > (v.groups ?? []).length
            ? h('p', {class: 'muted'}, `The ${number(v.groups.length)} largest of ${count(v.groupCount, 'group')}.`) : null,
        h('div', {class: 'table-wrap'}, h('table', {id: 'groups'},
            h('thead', {}, h('tr', {}, h('th', {}, 'Value'), h('th', {class: 'num'}, 'Nodes'),
                             h('th', {}, 'Share'), h('th', {}, ''), h('th', {}, 'Which'))),
            groups))]);
}

// byLabel: one row per combination of the groupBy labels seen (the API's order: those with more
// of the labels first, then most nodes); its values in brief, minorities marked: those of the
// slice, and the fleet's (a rack holding only the fleet's rare value is its own majority).
function renderByLabel(content, v, names) {
    const slices = v.byLabel ?? [];
    const rare = new Set((v.groups ?? []).filter((g) => g.minority).map((g) => text(g.value)));
    const body = h('tbody', {});
    for (const slice of slices) {
        const labels = slice.labels ?? {};
        const failed = Object.values(slice.failed ?? {}).reduce((a, b) => a + b, 0);
        let values;
        let minority = false;
        if (slice.distribution) {
            const d = slice.distribution;
            values = [`p50 ${fixed(d.p50)} · p99 ${fixed(d.p99)} · max ${fixed(d.max)}`,
                      d.outlierCount ? h('span', {class: 'badge bad'}, count(d.outlierCount, 'outlier')) : null];
        } else {
            const shown = (slice.groups ?? []).slice(0, SliceValues);
            const odd = (g) => g.minority || rare.has(text(g.value));
            minority = (slice.groups ?? []).some(odd);
            values = shown.length === 0 ? h('span', {class: 'muted'}, 'no values')
                : [shown.map((g) => h('span', {class: `chip ${odd(g) ? 'bad' : ''}`, dataset: {value: text(g.value)}},
                                      `${text(g.value)} × ${number(g.count)}`)),
                   slice.groupCount > shown.length ? h('span', {class: 'muted'}, ` +${count(slice.groupCount - shown.length, 'more value')}`) : null];
        }
        body.append(h('tr', {class: minority ? 'minority' : '', dataset: {labels: names.map((n) => `${n}=${labels[n] ?? ''}`).join(',')}},
            h('td', {class: 'labels'}, names.map((n) => (labels[n] === null || labels[n] === undefined
                ? h('span', {class: 'chip none'}, `no ${n}`)
                : h('span', {class: 'chip label'}, `${n}=${labels[n]}`)))),
            h('td', {class: 'num'}, number(slice.nodes)),
            h('td', {class: 'num'}, number(slice.withValue)),
            h('td', {class: 'num'}, number(slice.missing)),
            h('td', {class: `num ${failed ? 'count-bad' : ''}`}, number(failed)),
            h('td', {class: 'wrap values'}, values)));
    }
    content.append(h('h2', {}, `By ${names.join(' × ')}`),
        h('p', {class: 'muted'}, `${count(slices.length, 'combination')} of the labels seen.`),
        h('div', {class: 'table-wrap'}, h('table', {id: 'by-label'},
            h('thead', {}, h('tr', {}, h('th', {}, 'Labels'), h('th', {class: 'num'}, 'Nodes'),
                             h('th', {class: 'num'}, 'With a value'), h('th', {class: 'num'}, 'Missing'),
                             h('th', {class: 'num'}, 'Failed'), h('th', {}, 'Values'))),
            body)));
}

export function renderValues(main, hunt, params) {
    const path = params.get('path') ?? '';
    const groupBy = parseGroupBy(params.get('groupBy'));
    const link = (p, names = groupBy) => route(`/hunts/${enc(hunt)}/values`, {path: p, groupBy: groupByText(names)});
    const input = h('input', {id: 'values-path', value: path, 'aria-label': 'JSON path', required: true,
                              placeholder: 'mem.used, cpu[0], labels["k8s.io/name"]'});
    // The hunt's labels, as checkboxes: checking one splits the values by it (kept in the hash).
    const groupChoice = h('span', {class: 'toolbar', id: 'group-by', hidden: true});
    const content = h('div', {}, path ? h('p', {class: 'muted'}, 'Loading…') : null);
    main.append(
        h('p', {}, h('a', {href: route(`/hunts/${enc(hunt)}`)}, `← Hunt ${hunt}`)),
        h('h1', {}, 'Values of ', h('span', {class: 'mono', id: 'values-title'}, path || '…')),
        h('form', {class: 'toolbar', onsubmit: (event) => {
            event.preventDefault();
            location.hash = link(input.value.trim());
        }}, input, h('button', {type: 'submit'}, 'Show'), groupChoice),
        content);
    let gone = false;
    (async () => {
        const manifest = await api(`/api/v1/hunts/${enc(hunt)}`);
        const known = manifest.ok ? manifest.data.labelNames ?? [] : [];
        // A label named in the link but not listed (a cut list) stays offered, so it can be unchecked.
        const names = [...known, ...groupBy.filter((n) => !known.includes(n))];
        if (gone || names.length === 0) {
            return;
        }
        groupChoice.hidden = false;
        append(groupChoice, [h('span', {class: 'muted'}, 'Group by'),
            names.map((n) => h('label', {class: 'check'},
                h('input', {type: 'checkbox', value: n, checked: groupBy.includes(n), onchange: (event) => {
                    const chosen = event.target.checked ? [...groupBy, n] : groupBy.filter((x) => x !== n);
                    location.hash = link(input.value.trim() || path, chosen);
                }}), n))]);
    })();
    if (!path) {
        return () => { gone = true; };
    }
    (async () => {
        const q = new URLSearchParams({path, groups: 50, nodes: NodesShown});
        if (groupBy.length) {
            q.set('groupBy', groupByText(groupBy));
        }
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
        // A path no node has: the API's warning, and the nearest paths it has, each a link.
        for (const w of v.warnings ?? []) {
            content.append(h('p', {class: 'banner values-warning'}, w));
        }
        if ((v.suggestions ?? []).length) {
            content.append(h('p', {id: 'values-suggestions'}, 'Did you mean ',
                v.suggestions.map((s, i) => [i ? ', ' : '',
                    h('a', {class: 'mono suggestion', href: link(s.path), dataset: {path: s.path}}, s.path),
                    h('span', {class: 'muted'}, ` (${count(s.nodes, 'node')})`)]), '?'));
        }
        content.append(h('div', {class: 'card facts', id: 'values-summary'},
            h('div', {}, h('span', {}, 'Nodes'), number(v.nodes)),
            h('div', {}, h('span', {}, 'With a value'), number(v.withValue)),
            h('div', {}, h('span', {}, 'Missing the path'), number(v.missing)),
            h('div', {}, h('span', {}, 'Failed'),
              failed.length ? failed.map(([k, n]) => `${k} ${number(n)}`).join(', ') : '0'),
            h('div', {}, h('span', {}, 'Distinct values'), number(v.groupCount))));
        if (groupBy.length && v.byLabel) {
            renderByLabel(content, v, groupBy); // the split first: it is what was asked for
        }
        if (v.distribution) {
            renderDistribution(content, hunt, v.distribution); // instead of many tiny groups
            return;
        }
        if ((v.groups ?? []).length) {
            renderGroups(content, hunt, path, v);
        }

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
