// The page's router: the hash names the view (#/, #/new, #/hunts/ID, #/hunts/ID/nodes/NODE,
// #/hunts/ID/values?path=P, #/schedules, #/schedules/ID), so every view has a link that can be
// shared and reloaded.
import {clear, h} from './dom.js';
import {renderForm} from './form.js';
import {renderHunt} from './hunt.js';
import {renderHunts} from './hunts.js';
import {renderNode} from './node.js';
import {renderSchedule, renderSchedules} from './schedules.js';
import {renderValues} from './values.js';

const main = document.getElementById('main');
let stop = null; // the current view's clean-up (stops its polling)

function parse(hash) {
    const text = hash.replace(/^#/, '') || '/';
    const q = text.indexOf('?');
    const path = q < 0 ? text : text.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    return {parts, params};
}

function show() {
    if (stop) {
        stop();
        stop = null;
    }
    const {parts, params} = parse(location.hash);
    clear(main);
    let nav = '';
    if (parts.length === 0) {
        nav = 'hunts';
        stop = renderHunts(main, params);
    } else if (parts[0] === 'new' && parts.length === 1) {
        nav = 'new';
        stop = renderForm(main, params);
    } else if (parts[0] === 'schedules' && parts.length === 1) {
        nav = 'schedules';
        stop = renderSchedules(main, params);
    } else if (parts[0] === 'schedules' && parts.length === 2) {
        nav = 'schedules';
        stop = renderSchedule(main, parts[1]);
    } else if (parts[0] === 'hunts' && parts.length === 2) {
        stop = renderHunt(main, parts[1], params);
    } else if (parts[0] === 'hunts' && parts.length === 4 && parts[2] === 'nodes') {
        stop = renderNode(main, parts[1], parts[3]);
    } else if (parts[0] === 'hunts' && parts.length === 3 && parts[2] === 'values') {
        stop = renderValues(main, parts[1], params);
    } else {
        main.append(h('h1', {}, 'Not found'), h('p', {}, h('a', {href: '#/'}, 'Back to the hunts')));
    }
    for (const a of document.querySelectorAll('[data-nav]')) {
        a.classList.toggle('current', a.dataset.nav === nav);
    }
}

window.addEventListener('hashchange', show);
show();
