// #/hunts/ID : one hunt, live while it runs (the manifest is polled), and its nodes as a table
// paged, filtered and sorted by the API (a 100k-node hunt never comes to the page whole).
// Leads with what is wrong: unless the link names an outcome, a hunt with failures lists its
// failed nodes and folds the ok ones into one count ("1,954 ok (show)"). While it runs it names
// the nodes still waited on (in flight or waiting to retry, attempt, age) and the recent rate.
import {api, downloadLink, errorText} from './api.js';
import {append, badge, clear, count, duration, enc, failedCount, h, number, route, when} from './dom.js';

const PageSize = 100;
const Outcomes = ['ok', 'http_error', 'invalid_json', 'timeout', 'refused', 'dns', 'tls',
                  'too_large', 'cancelled', 'denied', 'error'];
const Fields = 'node,outcome,httpStatus,latencyMs,attempts,bytes,error';
const Live = (state) => state === 'queued' || state === 'running';
const MaxLabelColumns = 20; // label:NAME fields asked for the labels column

// "dc=fra1 rack=r7" of a projected row ({"label:dc": "fra1", "label:rack": null, ...}).
const labelChips = (row, names) => names.filter((n) => row[`label:${n}`] !== null && row[`label:${n}`] !== undefined)
    .map((n) => h('span', {class: 'chip label', dataset: {label: n}}, `${n}=${row[`label:${n}`]}`));

// The nodes a running hunt still waits on (progress.unfinished, oldest first, at most 20):
// in flight or waiting to retry, which attempt of how many, and for how long.
function waitingOn(hunt) {
    const p = hunt.progress ?? {};
    const unfinished = p.unfinished;
    if (!Live(hunt.state) || !unfinished || unfinished.count === 0) {
        return null;
    }
    const attempts = hunt.options?.attempts ?? 1;
    const oldest = unfinished.oldest ?? [];
    return h('div', {id: 'waiting'},
        h('h3', {}, `Waiting on ${count(unfinished.count, 'node')}`,
          unfinished.count > oldest.length
              ? h('span', {class: 'muted'}, ` (the ${number(oldest.length)} waited on longest)`) : null,
          typeof p.sinceLastOutcomeMs === 'number' && p.sinceLastOutcomeMs >= 1000
              ? h('span', {class: 'muted', id: 'since-last'}, ` · no node finished for ${duration(p.sinceLastOutcomeMs)}`) : null),
        h('div', {class: 'table-wrap'}, h('table', {id: 'unfinished'},
            h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'State'),
                             h('th', {class: 'num'}, 'Attempt'), h('th', {class: 'num'}, 'Waited'))),
            h('tbody', {}, oldest.map((n) => h('tr', {dataset: {node: n.node, state: n.state}},
                h('td', {class: 'mono'}, n.node),
                h('td', {}, n.state === 'retry-wait' ? badge('waiting to retry', 'cancelled') : badge('in flight', 'running')),
                h('td', {class: 'num'}, n.state === 'retry-wait' ? `${n.attempt} of ${attempts} failed`
                                                                : `${n.attempt} of ${attempts}`),
                h('td', {class: 'num'}, duration(n.ageMs))))))));
}

export function renderHunt(main, id, params) {
    const view = {
        outcome: params.get('outcome') ?? '',
        search: params.get('search') ?? '',
        sort: params.get('sort') ?? '',
        offset: Math.max(0, Number(params.get('offset')) || 0),
    };
    // Failing first until the user picks an outcome (or unfolds the ok nodes).
    let failingFirst = !params.has('outcome');
    let okCount = 0;
    let labelNames = []; // the hunt's (labelNames), once its manifest is read
    const base = `/api/v1/hunts/${enc(id)}`;

    const title = h('h1', {}, 'Hunt ', h('span', {class: 'mono'}, id));
    const summary = h('div', {class: 'card', id: 'summary'}, h('p', {class: 'muted'}, 'Loading…'));
    const status = h('p', {class: 'error', hidden: true});

    const outcome = h('select', {id: 'outcome-filter', 'aria-label': 'Outcome'},
                      h('option', {value: ''}, 'every outcome'),
                      h('option', {value: 'failed'}, 'failed (not ok)'),
                      Outcomes.map((o) => h('option', {value: o}, o)));
    outcome.value = view.outcome;
    const search = h('input', {id: 'search', type: 'search', placeholder: 'Find nodes…',
                               'aria-label': 'Find nodes', value: view.search});
    const downloads = h('span', {class: 'toolbar'});
    const pathInput = h('input', {id: 'values-path', placeholder: 'JSON path, e.g. mem.used',
                                  'aria-label': 'JSON path', required: true});
    const valuesForm = h('form', {class: 'toolbar', id: 'values-form', onsubmit: (event) => {
        event.preventDefault();
        location.hash = route(`/hunts/${enc(id)}/values`, {path: pathInput.value.trim()});
    }}, pathInput, h('button', {type: 'submit'}, 'Values across nodes'));

    const sortButton = (key, label) => h('button', {class: 'sort', type: 'button', dataset: {sort: key},
                                                    onclick: () => {
        view.sort = view.sort === key ? `-${key}` : key;
        view.offset = 0;
        update();
    }}, label);
    const head = h('tr', {},
        h('th', {}, sortButton('node', 'Node')), h('th', {}, sortButton('outcome', 'Outcome')),
        h('th', {class: 'num'}, 'HTTP'), h('th', {class: 'num'}, sortButton('latency', 'Latency')),
        h('th', {class: 'num'}, 'Attempts'), h('th', {class: 'num'}, 'Bytes'), h('th', {}, 'Error'));
    const labelsHead = h('th', {id: 'labels-head'}, 'Labels');
    const columns = () => 7 + (labelNames.length ? 1 : 0);
    const body = h('tbody', {});
    const pager = h('div', {class: 'pager', id: 'pager'});
    const fold = h('span', {class: 'fold', id: 'fold', hidden: true},
                   h('button', {type: 'button', id: 'ok-fold', onclick: () => {
                       failingFirst = false;
                       outcome.value = '';
                       view.outcome = '';
                       view.offset = 0;
                       update();
                   }}));

    main.append(title, summary, status,
        h('div', {class: 'toolbar'}, outcome, fold, search, h('span', {class: 'grow'}), downloads),
        h('div', {class: 'table-wrap'}, h('table', {id: 'nodes'}, h('thead', {}, head), body)),
        pager, valuesForm);

    let gone = false;
    let timer = null;
    let searchTimer = null;
    let state = '';

    outcome.addEventListener('change', () => {
        failingFirst = false;
        view.outcome = outcome.value;
        view.offset = 0;
        update();
    });
    search.addEventListener('input', () => {
        clearTimeout(searchTimer);
        searchTimer = setTimeout(() => {
            view.search = search.value.trim();
            view.offset = 0;
            update();
        }, 250);
    });

    function filterQuery() {
        const q = new URLSearchParams();
        if (view.outcome) {
            q.set('outcome', view.outcome);
        }
        if (view.search) {
            q.set('search', view.search);
        }
        if (view.sort) {
            q.set('sort', view.sort);
        }
        return q;
    }

    function update() {
        // The view's state lives in the hash (shareable), without re-rendering the view.
        history.replaceState(null, '', route(`/hunts/${enc(id)}`, {...view, offset: view.offset || ''}));
        for (const b of head.querySelectorAll('button.sort')) {
            const key = b.dataset.sort;
            if (view.sort === key || view.sort === `-${key}`) {
                b.setAttribute('aria-sort', view.sort.startsWith('-') ? 'descending' : 'ascending');
            } else {
                b.removeAttribute('aria-sort');
            }
        }
        showFold();
        clear(downloads);
        const q = filterQuery();
        const file = (fmt) => { q.set('format', fmt); return `${base}/results?${q}`; };
        downloads.append(downloadLink(file('ndjson'), `${id}.ndjson`, 'NDJSON'),
                         downloadLink(file('csv'), `${id}.csv`, 'CSV'));
        loadRows();
    }

    function showFold() {
        fold.hidden = !(view.outcome === 'failed' && okCount > 0);
        fold.firstChild.textContent = `${number(okCount)} ok (show)`;
    }

    // A hunt with failures (and ok nodes) opens on its failures; a running one as they come.
    function leadWithFailures(hunt) {
        okCount = hunt.counts?.ok ?? 0;
        if (failingFirst && view.outcome === '' && failedCount(hunt.counts) > 0 && okCount > 0) {
            view.outcome = 'failed';
            outcome.value = 'failed';
            view.offset = 0;
            return true;
        }
        showFold();
        return false;
    }

    function renderSummary(hunt) {
        const failed = failedCount(hunt.counts);
        const total = hunt.total || 0;
        const ok = hunt.counts?.ok ?? 0;
        const pct = (n) => (total ? `${(100 * n / total).toFixed(2)}%` : '0');
        const chips = Object.entries(hunt.counts ?? {}).filter(([, n]) => n > 0).map(([kind, n]) =>
            h('a', {class: `chip ${kind === 'ok' ? 'ok' : 'bad'}`, href: '#', dataset: {outcome: kind},
                    onclick: (event) => {
                        event.preventDefault();
                        outcome.value = kind;
                        outcome.dispatchEvent(new Event('change'));
                    }}, `${kind} ${number(n)}`));
        const cancel = Live(hunt.state)
            ? h('button', {class: 'danger', id: 'cancel', onclick: async () => {
                const answer = await api(`${base}/cancel`, {method: 'POST'});
                if (!answer.ok) {
                    status.hidden = false;
                    status.textContent = errorText(answer);
                }
                poll();
            }}, 'Cancel hunt')
            : null;
        const rate = hunt.progress?.nodesPerSecond;
        append(clear(summary), [
            h('div', {class: 'toolbar'}, h('span', {id: 'hunt-state'}, badge(hunt.state)),
              h('span', {class: 'mono'}, hunt.url),
              hunt.schedule ? h('span', {class: 'muted', id: 'hunt-schedule'}, 'schedule ',
                                h('a', {class: 'mono', href: route(`/schedules/${enc(hunt.schedule)}`)}, hunt.schedule),
                                `, round ${hunt.round}`) : null,
              h('span', {class: 'grow'}), cancel),
            h('div', {class: 'progress', title: `${number(hunt.done)} of ${count(total, 'node')}`},
              h('span', {class: 'ok', dataset: {w: pct(ok)}}),
              h('span', {class: 'bad', dataset: {w: pct(failed)}})),
            h('div', {class: 'facts'},
              h('div', {}, h('span', {}, 'Progress'),
                h('b', {id: 'progress'}, `${number(hunt.done)} / ${count(total, 'node')}`),
                hunt.progress ? ` (${hunt.progress.percent}%)` : ''),
              typeof rate === 'number' && Live(hunt.state)
                  ? h('div', {}, h('span', {}, 'Rate (last 5 s)'), h('b', {id: 'rate'}, `${number(rate)} nodes/s`)) : null,
              h('div', {}, h('span', {}, 'OK'), h('b', {class: 'count-ok', id: 'ok-count'}, number(ok))),
              h('div', {}, h('span', {}, 'Failed'),
                h('b', {class: failed ? 'count-bad' : '', id: 'failed-count'}, number(failed))),
              h('div', {}, h('span', {}, 'Created'), when(hunt.createdAt)),
              h('div', {}, h('span', {}, 'Finished'), when(hunt.finishedAt) || '—'),
              h('div', {}, h('span', {}, 'Took'), duration(hunt.elapsedMs))),
            h('div', {class: 'chips'}, chips),
            waitingOn(hunt),
            hunt.error ? h('p', {class: 'error', id: 'hunt-error'}, hunt.error) : null]);
        // Widths through the CSSOM: the policy allows no inline style attributes.
        for (const bar of summary.querySelectorAll('.progress span')) {
            bar.style.width = bar.dataset.w;
        }
    }

    async function poll() {
        clearTimeout(timer);
        const answer = await api(base);
        if (gone) {
            return;
        }
        if (!answer.ok) {
            clear(summary).append(h('p', {class: 'error'}, errorText(answer)));
            if (state === '') {
                update(); // the rows say what they can
            }
            return;
        }
        const wasLive = Live(state);
        const first = state === '';
        state = answer.data.state;
        if (first) {
            setLabels(answer.data);
        }
        renderSummary(answer.data);
        if (leadWithFailures(answer.data) || first) {
            update();
        } else if (Live(state) || wasLive) {
            // New rows arrive while it runs, and once more when it has ended. A page of a large
            // sorted hunt can take longer than a poll (1.7 s at 100k nodes): never stack them.
            loadRows({whileLive: Live(state)});
        }
        if (Live(state)) {
            timer = setTimeout(poll, 1000);
        }
    }

    // The labels column: one label:NAME field per label the hunt's nodes carry.
    function setLabels(hunt) {
        const names = hunt.labelNames ?? [];
        labelNames = names.slice(0, MaxLabelColumns);
        const all = Math.max(names.length, hunt.labelNameCount ?? 0);
        if (labelNames.length) {
            labelsHead.title = all > labelNames.length ? `the first ${labelNames.length} of ${all} label names` : '';
            head.insertBefore(labelsHead, head.lastChild);
        }
    }

    let rowsSeq = 0;
    let rowsInFlight = 0;
    async function loadRows({whileLive = false} = {}) {
        if (whileLive && rowsInFlight > 0) {
            return; // the next poll asks again
        }
        const seq = ++rowsSeq;
        const q = filterQuery();
        q.set('offset', view.offset);
        q.set('limit', PageSize);
        q.set('fields', [Fields, ...labelNames.map((n) => `label:${n}`)].join(','));
        rowsInFlight += 1;
        const answer = await api(`${base}/results?${q}`).finally(() => { rowsInFlight -= 1; });
        if (gone || seq !== rowsSeq) {
            return; // a newer request (typing, paging) is on its way
        }
        clear(body);
        clear(pager);
        if (!answer.ok) {
            body.append(h('tr', {}, h('td', {class: 'empty error', colspan: columns()}, errorText(answer))));
            return;
        }
        const {results = [], total = 0} = answer.data;
        if (results.length === 0) {
            body.append(h('tr', {}, h('td', {class: 'empty', colspan: columns()},
                                      Live(state) ? 'No results yet.' : 'No nodes match.')));
        }
        for (const r of results) {
            body.append(h('tr', {dataset: {node: r.node}},
                h('td', {class: 'mono'}, h('a', {href: route(`/hunts/${enc(id)}/nodes/${enc(r.node)}`)}, r.node)),
                h('td', {}, badge(r.outcome, r.outcome === 'ok' ? 'ok' : 'bad')),
                h('td', {class: 'num'}, r.httpStatus || ''),
                h('td', {class: 'num'}, r.latencyMs === undefined ? '' : `${number(r.latencyMs)} ms`),
                h('td', {class: 'num'}, r.attempts ?? ''),
                h('td', {class: 'num'}, number(r.bytes)),
                labelNames.length ? h('td', {class: 'labels'}, labelChips(r, labelNames)) : null,
                h('td', {class: 'wrap'}, r.error ?? '')));
        }
        const first = total ? view.offset + 1 : 0;
        const last = view.offset + results.length;
        const go = (offset) => () => {
            view.offset = offset;
            update();
        };
        pager.append(
            h('button', {id: 'prev', disabled: view.offset === 0, onclick: go(Math.max(0, view.offset - PageSize))}, '← Previous'),
            h('span', {id: 'range'}, `${number(first)}–${number(last)} of ${count(total, 'node')}`),
            h('button', {id: 'next', disabled: last >= total, onclick: go(view.offset + PageSize)}, 'Next →'));
    }

    poll(); // the first answer decides whether the view leads with failures, then loads rows
    return () => {
        gone = true;
        clearTimeout(timer);
        clearTimeout(searchTimer);
    };
}
