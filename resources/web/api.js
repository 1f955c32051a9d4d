// The public API, from the page's own origin. With a token configured on the service, the first
// 401 asks for it once (a dialog); it is kept in sessionStorage (this tab only, gone when the tab
// closes) and sent as `Authorization: Bearer`. A refused token asks again.

const TokenKey = 'artemis.token';
let asking = null; // one dialog for every request that got 401 at the same time

export const token = () => sessionStorage.getItem(TokenKey) ?? '';

// Esc would close the dialog with the token still needed.
document.getElementById('token-dialog').addEventListener('cancel', (event) => event.preventDefault());

function askToken(refused) {
    if (asking) {
        return asking;
    }
    const dialog = document.getElementById('token-dialog');
    const form = document.getElementById('token-form');
    const input = document.getElementById('token-input');
    const error = document.getElementById('token-error');
    error.hidden = !refused;
    error.textContent = refused ? 'The service refused that token.' : '';
    input.value = '';
    asking = new Promise((resolve) => {
        const done = (event) => {
            event.preventDefault();
            const value = input.value.trim();
            if (!value) {
                return;
            }
            form.removeEventListener('submit', done);
            sessionStorage.setItem(TokenKey, value);
            dialog.close();
            asking = null;
            resolve();
        };
        form.addEventListener('submit', done);
    });
    dialog.showModal();
    input.focus();
    return asking;
}

function headers(extra = {}) {
    const all = {...extra};
    if (token()) {
        all.Authorization = `Bearer ${token()}`;
    }
    return all;
}

// Returns {status, ok, data (parsed JSON or null), text}; never throws for an HTTP status.
export async function api(path, {method = 'GET', body} = {}) {
    for (;;) {
        const sent = token();
        const response = await fetch(path, {
            method,
            cache: 'no-store',
            headers: headers(body === undefined ? {} : {'Content-Type': 'application/json'}),
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (response.status === 401) {
            await askToken(sent !== '');
            continue;
        }
        const text = await response.text();
        let data = null;
        try {
            data = text ? JSON.parse(text) : null;
        } catch {
            data = null;
        }
        return {status: response.status, ok: response.ok, data, text};
    }
}

// "Invalid request: node 'x': bad port" from an error answer {"error", "details"}.
export function errorText(answer) {
    const d = answer.data;
    if (!d || typeof d !== 'object') {
        return `HTTP ${answer.status}${answer.text ? `: ${answer.text.slice(0, 300)}` : ''}`;
    }
    const details = d.details;
    const message = typeof details === 'string' ? details : details?.message ?? '';
    return [d.error ?? `HTTP ${answer.status}`, message].filter(Boolean).join(': ');
}

// A download link for an export. Without a token it is a plain link; with one, a click fetches
// the file with the token and hands it to the browser as a file (a link cannot send a header).
export function downloadLink(path, filename, label) {
    const a = document.createElement('a');
    a.href = path;
    a.className = 'button';
    a.download = filename;
    a.textContent = label;
    a.addEventListener('click', async (event) => {
        if (!token()) {
            return;
        }
        event.preventDefault();
        const response = await fetch(path, {headers: headers(), cache: 'no-store'});
        if (response.status === 401) {
            await askToken(true);
            return;
        }
        const url = URL.createObjectURL(await response.blob());
        const save = document.createElement('a');
        save.href = url;
        save.download = filename;
        document.body.append(save);
        save.click();
        save.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
    return a;
}
