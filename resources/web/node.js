// #/hunts/ID/nodes/NODE : one node's outcome and its JSON answer as a tree. Every key links to the
// values of its path across the hunt.
import {api, errorText} from './api.js';
import {badge, duration, enc, h, number, route, when} from './dom.js';

const Identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OpenDepth = 2; // levels shown unfolded
const MaxChildren = 1000; // per object or array; the raw JSON has the rest

// The JSON path syntax of the API: mem.used, cpu[0], labels["k8s.io/name"].
export function childPath(parent, key) {
    if (typeof key === 'number') {
        return `${parent}[${key}]`;
    }
    if (Identifier.test(key)) {
        return parent ? `${parent}.${key}` : key;
    }
    return `${parent}[${JSON.stringify(key)}]`;
}

function scalar(value) {
    if (typeof value === 'string') {
        return h('span', {class: 'str'}, JSON.stringify(value));
    }
    if (typeof value === 'number') {
        return h('span', {class: 'num'}, String(value));
    }
    return h('span', {class: 'lit'}, String(value)); // true, false, null
}

function jsonTree(hunt, value, path, label, depth) {
    const keyLink = (text) => (path
        ? h('a', {class: 'key', href: route(`/hunts/${enc(hunt)}/values`, {path}), title: `values of ${path} across the hunt`}, text)
        : h('span', {class: 'key'}, text));
    if (value === null || typeof value !== 'object') {
        return h('div', {class: 'leaf', dataset: {path}}, label === null ? null : [keyLink(label), ': '], scalar(value));
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    const details = h('details', {open: depth < OpenDepth, dataset: {path}},
        h('summary', {}, label === null ? null : [keyLink(label), ': '],
          `${brackets[0]} `, h('span', {class: 'note'},
                               `${entries.length} ${Array.isArray(value) ? 'item' : 'key'}${entries.length === 1 ? '' : 's'}`), ` ${brackets[1]}`));
    const fill = () => {
        for (const [key, child] of entries.slice(0, MaxChildren)) {
            details.append(jsonTree(hunt, child, childPath(path, key), typeof key === 'number' ? `[${key}]` : key, depth + 1));
        }
        if (entries.length > MaxChildren) {
            details.append(h('div', {class: 'leaf note'}, `… ${number(entries.length - MaxChildren)} more (see the raw JSON)`));
        }
    };
    if (details.open) {
        fill();
    } else {
        // A folded level is built when first opened: a large answer costs only what is shown.
        details.addEventListener('toggle', fill, {once: true});
    }
    return details;
}

export function renderNode(main, hunt, node) {
    const content = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
    main.append(
        h('p', {}, h('a', {href: route(`/hunts/${enc(hunt)}`)}, `← Hunt ${hunt}`)),
        h('h1', {}, 'Node ', h('span', {class: 'mono', id: 'node-name'}, node)),
        content);
    let gone = false;
    (async () => {
        const answer = await api(`/api/v1/hunts/${enc(hunt)}/results/${enc(node)}`);
        if (gone) {
            return;
        }
        content.replaceChildren();
        if (!answer.ok) {
            content.append(h('p', {class: 'error'}, errorText(answer)));
            return;
        }
        const r = answer.data;
        const raw = h('pre', {class: 'mono card', id: 'raw', hidden: true},
                      r.body === undefined || r.body === null ? (r.raw ?? '') : JSON.stringify(r.body, null, 2));
        const hasBody = r.body !== undefined && r.body !== null;
        const treeView = hasBody
            ? h('div', {class: 'tree card', id: 'tree'}, jsonTree(hunt, r.body, '', null, 0))
            : h('p', {class: 'muted card', id: 'tree'},
                r.raw ? 'The answer is not JSON: see the raw text.' : 'No answer body.');
        content.append(
            h('div', {class: 'card'},
              h('div', {class: 'facts'},
                h('div', {}, h('span', {}, 'Outcome'), badge(r.outcome, r.outcome === 'ok' ? 'ok' : 'bad')),
                h('div', {}, h('span', {}, 'HTTP'), r.httpStatus || '—'),
                h('div', {}, h('span', {}, 'Latency'), duration(r.latencyMs)),
                h('div', {}, h('span', {}, 'Attempts'), String(r.attempts ?? '')),
                h('div', {}, h('span', {}, 'Bytes'), number(r.bytes)),
                h('div', {}, h('span', {}, 'Fetched'), when(r.fetchedAt)),
                h('div', {}, h('span', {}, 'URL'), h('span', {class: 'mono'}, r.url))),
              r.error ? h('p', {class: 'error', id: 'node-error'}, r.error) : null,
              r.labels ? h('p', {class: 'muted'}, 'Labels: ',
                           Object.entries(r.labels).map(([k, v]) => h('span', {class: 'chip'}, `${k}=${v}`))) : null),
            h('div', {class: 'toolbar'}, h('h2', {}, 'Answer'), h('span', {class: 'grow'}),
              h('button', {type: 'button', id: 'toggle-raw', onclick: (event) => {
                  raw.hidden = !raw.hidden;
                  treeView.hidden = !raw.hidden;
                  event.target.textContent = raw.hidden ? 'Raw JSON' : 'Tree';
              }}, 'Raw JSON')),
            treeView, raw);
    })();
    return () => { gone = true; };
}
