// #/new : start a hunt (POST /api/v1/hunts). A refused request shows its reason; bad nodes are
// listed each with its line and reason, as the API names them (details.nodes[] = {index, node,
// reason}; the service lists a range once and at most 20 entries).
import {api, errorText} from './api.js';
import {enc, h, route} from './dom.js';

// The CLI's nodes-file rules (core/inventory/nodefile.h): one node a line, blank lines and '#' comments
// ignored; commas outside brackets split a line too: "a:1, b[1,3-5]:9100" is two nodes (ranges
// keep their commas). Each node keeps its line (1-based), so errors name the line typed.
export function splitNodes(text) {
    const nodes = [];
    text.split('\n').forEach((raw, i) => {
        const hash = raw.indexOf('#');
        const line = hash < 0 ? raw : raw.slice(0, hash);
        let current = '';
        let depth = 0;
        for (const c of `${line},`) {
            if (c === '[') {
                depth += 1;
            } else if (c === ']') {
                depth = Math.max(0, depth - 1);
            }
            if (c === ',' && depth === 0) {
                if (current.trim()) {
                    nodes.push({node: current.trim(), line: i + 1});
                }
                current = '';
            } else {
                current += c;
            }
        }
        if (current.trim()) { // an unclosed '[' swallowed the end: still one (bad) node
            nodes.push({node: current.slice(0, -1).trim(), line: i + 1});
        }
    });
    return nodes;
}

const numberField = (id, label, placeholder) => h('label', {}, label,
    h('input', {id, type: 'number', min: 1, placeholder}));

export function renderForm(main) {
    const nodes = h('textarea', {id: 'nodes', rows: 8, required: true, spellcheck: 'false',
                                 placeholder: '10.0.0.7:9100\n10.0.0.8:9100\nnode[01-20]:9100'});
    const path = h('input', {id: 'path', required: true, value: 'metric', size: 40});
    const timeout = numberField('timeoutMs', 'Timeout (ms)', '5000');
    const attempts = numberField('attempts', 'Attempts', '3');
    const concurrency = numberField('concurrency', 'Concurrency', '64');
    const perHost = numberField('perHostLimit', 'Per host', '6');
    const redirects = h('input', {id: 'followRedirects', type: 'checkbox'});
    const insecure = h('input', {id: 'insecureSkipVerify', type: 'checkbox'});
    const result = h('div', {id: 'form-result'});
    const submit = h('button', {type: 'submit', class: 'primary', id: 'start'}, 'Start hunt');

    const form = h('form', {class: 'hunt-form card', id: 'hunt-form', onsubmit: async (event) => {
        event.preventDefault();
        const list = splitNodes(nodes.value);
        const options = {};
        for (const [key, field] of [['timeoutMs', timeout], ['attempts', attempts],
                                    ['concurrency', concurrency], ['perHostLimit', perHost]]) {
            const input = field.querySelector('input');
            if (input.value !== '') {
                options[key] = Number(input.value);
            }
        }
        if (redirects.checked) {
            options.followRedirects = true;
        }
        if (insecure.checked) {
            options.insecureSkipVerify = true;
        }
        submit.disabled = true;
        result.replaceChildren(h('p', {class: 'muted'}, 'Starting…'));
        const answer = await api('/api/v1/hunts', {method: 'POST', body: {nodes: list.map((n) => n.node), url: path.value.trim(), options}});
        submit.disabled = false;
        if (answer.ok && answer.data?.hunt) {
            location.hash = route(`/hunts/${enc(answer.data.hunt)}`);
            return;
        }
        const bad = answer.data?.details?.nodes;
        result.replaceChildren(h('p', {class: 'error', id: 'form-error'}, errorText(answer)));
        if (Array.isArray(bad) && bad.length) {
            result.append(h('div', {class: 'table-wrap'}, h('table', {class: 'bad-nodes', id: 'bad-nodes'},
                h('thead', {}, h('tr', {}, h('th', {class: 'num', title: 'line in the list above'}, 'Line'), h('th', {}, 'Node'), h('th', {}, 'Reason'))),
                h('tbody', {}, bad.map((b) => h('tr', {},
                    h('td', {class: 'num'}, list[b.index]?.line ?? ''),
                    h('td', {class: 'mono'}, b.node ?? ''),
                    h('td', {class: 'reason wrap'}, b.reason ?? '')))))));
        }
    }},
    h('label', {}, 'Nodes: host:port, one a line or comma-separated (ranges like node[01-20]:9100)', nodes),
    h('label', {}, 'Path fetched from each node (http://NODE/PATH)', path),
    h('div', {class: 'row'}, timeout, attempts, concurrency, perHost),
    h('div', {class: 'row'},
      h('label', {class: 'check'}, redirects, 'Follow redirects'),
      h('label', {class: 'check'}, insecure, 'Skip TLS verification (https:// nodes)')),
    h('div', {class: 'row'}, submit),
    result);
    main.append(h('h1', {}, 'New hunt'), form);
    return () => {};
}
