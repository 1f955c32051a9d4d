// Building DOM nodes without HTML strings: every value reaches the page as a text node, so no
// answer, node name or error text can inject markup.

// h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child, ...)
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs ?? {})) {
        if (value === undefined || value === null || value === false) {
            continue;
        }
        if (name.startsWith('on') && typeof value === 'function') {
            el.addEventListener(name.slice(2), value);
        } else if (name === 'dataset') {
            Object.assign(el.dataset, value);
        } else {
            el.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : String(value));
        }
    }
    append(el, children);
    return el;
}

export function append(el, children) {
    for (const child of children.flat(Infinity)) {
        if (child === undefined || child === null || child === false) {
            continue;
        }
        el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
}

export function clear(el) {
    el.replaceChildren();
    return el;
}

export const number = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '');

// "1 node", "2 nodes", "1,234 nodes": a count and its noun, singular for exactly one.
export const count = (n, noun, plural = `${noun}s`) => `${number(n)} ${n === 1 ? noun : plural}`;

export function when(iso) {
    if (!iso) {
        return '';
    }
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) {
        return iso;
    }
    const pad = (v) => String(v).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
           `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function duration(ms) {
    if (typeof ms !== 'number') {
        return '';
    }
    if (ms < 1000) {
        return `${ms} ms`;
    }
    if (ms < 60000) {
        return `${(ms / 1000).toFixed(1)} s`;
    }
    const s = Math.round(ms / 1000);
    return s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s`
                    : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export const badge = (text, kind = text) => h('span', {class: `badge ${kind}`}, text);

// A hash link: '#/hunts/ID?outcome=failed'.
export function route(path, params = {}) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
        if (v !== undefined && v !== null && v !== '') {
            query.set(k, v);
        }
    }
    const q = query.toString();
    return `#${path}${q ? `?${q}` : ''}`;
}

export const enc = encodeURIComponent;

// The failed nodes of a hunt's counts: every outcome but ok.
export function failedCount(counts) {
    return Object.entries(counts ?? {}).reduce((sum, [k, v]) => (k === 'ok' ? sum : sum + v), 0);
}
