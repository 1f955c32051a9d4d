// #/ : the hunts, newest first, paged by the API (limit + before), refreshed while one is live.
import {api, errorText} from './api.js';
import {badge, clear, duration, enc, failedCount, h, number, route, when} from './dom.js';

const PageSize = 50;
const States = ['', 'queued', 'running', 'done', 'cancelled', 'interrupted', 'failed'];

export function renderHunts(main, params) {
    const state = params.get('state') ?? '';
    const before = params.get('before') ?? '';
    const select = h('select', {id: 'state-filter', 'aria-label': 'State',
                                onchange: () => { location.hash = route('/', {state: select.value}); }},
                     States.map((s) => h('option', {value: s, selected: s === state}, s || 'every state')));
    const body = h('tbody', {}, h('tr', {}, h('td', {class: 'empty', colspan: 9}, 'Loading…')));
    const pager = h('div', {class: 'pager'});
    const status = h('p', {class: 'error', hidden: true});
    main.append(
        h('h1', {}, 'Hunts'),
        h('div', {class: 'toolbar'}, select, h('span', {class: 'grow'}),
          h('a', {class: 'button', href: '#/new'}, 'New hunt')),
        status,
        h('div', {class: 'table-wrap'},
          h('table', {id: 'hunts'},
            h('thead', {}, h('tr', {},
              h('th', {}, 'Hunt'), h('th', {}, 'State'), h('th', {}, 'Path'),
              h('th', {class: 'num'}, 'Nodes'), h('th', {class: 'num'}, 'OK'),
              h('th', {class: 'num'}, 'Failed'), h('th', {}, 'Schedule'),
              h('th', {}, 'Created'), h('th', {class: 'num'}, 'Took'))),
            body)),
        pager);

    let timer = null;
    let gone = false;
    async function load() {
        const query = new URLSearchParams({limit: PageSize});
        if (state) {
            query.set('state', state);
        }
        if (before) {
            query.set('before', before);
        }
        const answer = await api(`/api/v1/hunts?${query}`);
        if (gone) {
            return;
        }
        if (!answer.ok) {
            status.hidden = false;
            status.textContent = errorText(answer);
            timer = setTimeout(load, 5000);
            return;
        }
        status.hidden = true;
        const hunts = answer.data.hunts ?? [];
        clear(body);
        if (hunts.length === 0) {
            body.append(h('tr', {}, h('td', {class: 'empty', colspan: 9},
                                      before ? 'No older hunts.' : 'No hunts yet. Start one with “New hunt”.')));
        }
        for (const hunt of hunts) {
            const failed = failedCount(hunt.counts);
            body.append(h('tr', {dataset: {hunt: hunt.id}},
                h('td', {class: 'mono'}, h('a', {href: route(`/hunts/${enc(hunt.id)}`)}, hunt.id)),
                h('td', {}, badge(hunt.state)),
                h('td', {class: 'mono'}, hunt.url),
                h('td', {class: 'num'}, `${number(hunt.done)} / ${number(hunt.total)}`),
                h('td', {class: 'num count-ok'}, number(hunt.counts?.ok ?? 0)),
                h('td', {class: `num ${failed ? 'count-bad' : ''}`}, number(failed)),
                h('td', {class: 'mono', title: hunt.schedule ?? null}, hunt.schedule
                    ? h('a', {href: route(`/schedules/${enc(hunt.schedule)}`)}, `${hunt.schedule.slice(-8)} · round ${hunt.round}`) : ''),
                h('td', {}, when(hunt.createdAt)),
                h('td', {class: 'num'}, duration(hunt.elapsedMs))));
        }
        clear(pager);
        if (before) {
            pager.append(h('a', {class: 'button', href: route('/', {state})}, '← Newest'));
        }
        if (answer.data.next && hunts.length > 0) {
            pager.append(h('a', {class: 'button', id: 'older',
                                 href: route('/', {state, before: hunts[hunts.length - 1].id})}, 'Older →'));
        }
        const live = hunts.some((x) => x.state === 'queued' || x.state === 'running');
        timer = setTimeout(load, live ? 1000 : 5000);
    }
    load();
    return () => {
        gone = true;
        clearTimeout(timer);
    };
}
