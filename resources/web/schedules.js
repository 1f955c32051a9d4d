// #/schedules and #/schedules/ID : the schedules (GET /api/v1/schedules[/{id}]), with what an
// operator must not miss in front: rounds skipped (how many, the last reason and when) and the
// warnings kept from the schedule's creation (a round's worst case past its deadline or interval).
import {api, errorText} from './api.js';
import {badge, clear, count, duration, enc, failedCount, h, number, route, when} from './dom.js';

const RefreshMs = 2000;

const scheduleLink = (id) => h('a', {class: 'mono', href: route(`/schedules/${enc(id)}`)}, id);

// "2 skipped (last 12:00:03: round 1 (hunt …) is still running)", or "none".
function skippedText(s) {
    if (!s.skipped) {
        return h('span', {class: 'muted'}, 'none');
    }
    return h('span', {class: 'skipped'}, h('b', {class: 'count-bad'}, count(s.skipped, 'round')),
             s.lastSkipReason ? ` — last ${when(s.lastSkippedAt)}: ${s.lastSkipReason}` : '');
}

const warningList = (warnings, id) => (warnings?.length
    ? h('ul', {class: 'warnings', id}, warnings.map((w) => h('li', {class: 'banner'}, w)))
    : null);

// Polls `load` every RefreshMs until the view is left; returns the view's clean-up.
function polling(load) {
    let gone = false;
    let timer = null;
    const run = async () => {
        await load(() => gone);
        if (!gone) {
            timer = setTimeout(run, RefreshMs);
        }
    };
    run();
    return () => {
        gone = true;
        clearTimeout(timer);
    };
}

export function renderSchedules(main) {
    const status = h('p', {class: 'error', hidden: true});
    const body = h('tbody', {}, h('tr', {}, h('td', {class: 'empty', colspan: 7}, 'Loading…')));
    main.append(h('h1', {}, 'Schedules'),
        h('p', {class: 'muted'}, 'Hunts repeated every interval; each round is a hunt. Made through the API ',
          h('code', {}, 'POST /api/v1/schedules'), ' or the CLI ', h('code', {}, 'hunt --every'), '.'),
        status,
        h('div', {class: 'table-wrap'}, h('table', {id: 'schedules'},
            h('thead', {}, h('tr', {}, h('th', {}, 'Schedule'), h('th', {}, 'Path'), h('th', {}, 'Every'),
                             h('th', {class: 'num'}, 'Rounds'), h('th', {}, 'Skipped'),
                             h('th', {}, 'Warnings'), h('th', {}, 'Next round'))),
            body)));
    return polling(async (gone) => {
        const answer = await api('/api/v1/schedules');
        if (gone()) {
            return;
        }
        status.hidden = answer.ok;
        if (!answer.ok) {
            status.textContent = errorText(answer);
            return;
        }
        const schedules = answer.data.schedules ?? [];
        clear(body);
        if (schedules.length === 0) {
            body.append(h('tr', {}, h('td', {class: 'empty', colspan: 7}, 'No schedules.')));
        }
        for (const s of schedules) {
            const warned = (s.warnings?.length ?? 0) > 0 || s.skipped > 0;
            body.append(h('tr', {dataset: {schedule: s.id}, class: warned ? 'warned' : ''},
                h('td', {}, scheduleLink(s.id)),
                h('td', {class: 'mono'}, s.url),
                h('td', {}, s.every),
                h('td', {class: 'num'}, number(s.roundsStarted), s.maxRounds ? ` of ${number(s.maxRounds)}` : ''),
                h('td', {class: 'wrap'}, skippedText(s)),
                h('td', {class: 'wrap'}, (s.warnings ?? []).map((w) => h('div', {class: 'warning'}, w))),
                h('td', {}, s.completed ? badge('completed', 'done') : when(s.nextRunAt))));
        }
    });
}

export function renderSchedule(main, id) {
    const content = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
    main.append(h('p', {}, h('a', {href: '#/schedules'}, '← Schedules')),
        h('h1', {}, 'Schedule ', h('span', {class: 'mono'}, id)), content);
    return polling(async (gone) => {
        const answer = await api(`/api/v1/schedules/${enc(id)}`);
        if (gone()) {
            return;
        }
        clear(content);
        if (!answer.ok) {
            content.append(h('p', {class: 'error'}, errorText(answer)));
            return;
        }
        const s = answer.data;
        const source = s.nodesFrom;
        content.append(
            warningList(s.warnings, 'schedule-warnings'),
            h('div', {class: 'card'},
              h('div', {class: 'facts', id: 'schedule-facts'},
                h('div', {}, h('span', {}, 'Path'), h('span', {class: 'mono'}, s.url)),
                h('div', {}, h('span', {}, 'Every'), s.every),
                h('div', {}, h('span', {}, 'Round deadline'), s.deadlineMs ? duration(s.deadlineMs) : 'none'),
                h('div', {}, h('span', {}, 'Start spread'), duration(s.spreadMs)),
                h('div', {}, h('span', {}, 'Nodes'), number(s.nodeCount)),
                h('div', {}, h('span', {}, 'Rounds started'), h('b', {id: 'rounds-started'}, number(s.roundsStarted)),
                  s.maxRounds ? ` of ${number(s.maxRounds)}` : ''),
                h('div', {}, h('span', {}, 'Next round'), s.completed ? 'none (completed)' : when(s.nextRunAt))),
              h('p', {id: 'schedule-skipped'}, 'Skipped: ', skippedText(s)),
              s.lastError ? h('p', {class: 'error', id: 'schedule-error'}, s.lastError) : null,
              source ? h('p', {class: source.lastError ? 'error' : 'muted'},
                         `Nodes from ${source.file ?? source.http}: ${count(source.nodes ?? 0, 'node')}`
                         + (source.lastError ? ` (last good list; ${count(source.failures ?? 0, 'failed read')}: ${source.lastError})` : '')) : null),
            h('h2', {}, 'Rounds'),
            s.roundsRetained > (s.rounds ?? []).length
                ? h('p', {class: 'muted'}, `The newest ${number(s.rounds.length)} of ${count(s.roundsRetained, 'round')} kept.`) : null,
            h('div', {class: 'table-wrap'}, h('table', {id: 'rounds'},
                h('thead', {}, h('tr', {}, h('th', {class: 'num'}, 'Round'), h('th', {}, 'Hunt'), h('th', {}, 'State'),
                                 h('th', {class: 'num'}, 'OK'), h('th', {class: 'num'}, 'Failed'),
                                 h('th', {}, 'Started'), h('th', {class: 'num'}, 'Took'))),
                h('tbody', {}, (s.rounds ?? []).map((r) => {
                    const failed = failedCount(r.counts);
                    return h('tr', {dataset: {hunt: r.hunt}},
                        h('td', {class: 'num'}, number(r.round)),
                        h('td', {class: 'mono'}, h('a', {href: route(`/hunts/${enc(r.hunt)}`)}, r.hunt)),
                        h('td', {}, badge(r.state)),
                        h('td', {class: 'num count-ok'}, number(r.counts?.ok ?? 0)),
                        h('td', {class: `num ${failed ? 'count-bad' : ''}`}, number(failed)),
                        h('td', {}, when(r.startedAt)),
                        h('td', {class: 'num'}, duration(r.elapsedMs)));
                })))));
    });
}
