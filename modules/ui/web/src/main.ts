// The Tribune agent's web UI: a single page that reads the agent's HTTP API (/v1) from the same
// origin. Routing lives in the URL's hash (#/<dc>/<section>/...), so reloading any page asks the
// agent only for /ui/ and its static files.
import './style.css';

const TOKEN_KEY = 'tribune.token';
// Bounded reads: the KV editor refuses to load values larger than this into a text area.
const MAX_EDIT_BYTES = 512 * 1024;

type Json = any;

/** An answer of the API that was not 2xx, with the agent's message. */
class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function token(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

interface Call {
  method?: string;
  body?: string;
  dc?: string;
  query?: Record<string, string>;
}

/** Calls the API; a non-2xx answer becomes an ApiError carrying the agent's plain-text message. */
async function api(path: string, call: Call = {}): Promise<Json> {
  const params = new URLSearchParams(call.query ?? {});
  if (call.dc) {
    params.set('dc', call.dc);
  }
  const qs = params.toString();
  const headers: Record<string, string> = {};
  if (token()) {
    headers['X-Consul-Token'] = token();
  }
  const res = await fetch(path + (qs ? '?' + qs.replace(/=(&|$)/g, '$1') : ''), {
    method: call.method ?? 'GET',
    body: call.body,
    headers,
  });
  const text = await res.text();
  if (!res.ok) {
    throw new ApiError(res.status, text.trim() || res.statusText);
  }
  return text ? JSON.parse(text) : null;
}

// ------------------------------------------------------------------ DOM helpers

type Child = Node | string | number | null | undefined | false | Child[];

/** Builds an element; text children become text nodes, so agent data is never parsed as HTML. */
function h(tag: string, attrs: Record<string, any> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.substring(2), v);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el: HTMLElement, children: Child[]) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    if (Array.isArray(c)) {
      append(el, c);
    } else {
      el.append(c instanceof Node ? c : String(c));
    }
  }
}

const enc = encodeURIComponent;

/** A key or prefix as a hash path: each segment encoded, the slashes kept. */
function encPath(p: string): string {
  return p.split('/').map(enc).join('/');
}

function statusBadge(status: string): HTMLElement {
  return h('span', { class: 'badge ' + status }, status);
}

function counts(passing: number, warning: number, critical: number): HTMLElement {
  return h('span', { class: 'counts' },
    h('span', { class: 'badge passing', title: 'passing checks' }, '✓ ' + passing),
    h('span', { class: 'badge warning', title: 'warning checks' }, '! ' + warning),
    h('span', { class: 'badge critical', title: 'critical checks' }, '✗ ' + critical));
}

function tally(checks: Json[]): [number, number, number] {
  let p = 0, w = 0, c = 0;
  for (const ch of checks ?? []) {
    if (ch.Status === 'passing') p++;
    else if (ch.Status === 'warning') w++;
    else c++;
  }
  return [p, w, c];
}

function checksTable(checks: Json[]): HTMLElement {
  if (!checks || checks.length === 0) {
    return h('p', { class: 'empty' }, 'No checks.');
  }
  return h('table', { class: 'checks' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Check'), h('th', {}, 'Status'), h('th', {}, 'Service'),
      h('th', {}, 'Output'))),
    h('tbody', {}, checks.map((c) => h('tr', { 'data-check': c.CheckID },
      h('td', {}, h('div', {}, c.Name || c.CheckID), h('div', { class: 'sub' }, c.CheckID)),
      h('td', {}, statusBadge(c.Status)),
      h('td', {}, c.ServiceName || c.ServiceID || '—'),
      h('td', {}, h('pre', { class: 'output' }, c.Output || ''))))));
}

// ------------------------------------------------------------------ state and routing

interface Route {
  dc: string;
  section: string;
  rest: string;
}

let localDc = '';
let datacenters: string[] = [];
let aclEnabled = false;
const app = () => document.getElementById('app')!;

function parse(hash: string): Route | null {
  const m = /^#\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(hash);
  if (!m) {
    return null;
  }
  return { dc: decodeURIComponent(m[1]), section: m[2], rest: m[3] ?? '' };
}

function go(hash: string) {
  if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

function notice(kind: 'error' | 'ok', text: string): HTMLElement {
  return h('div', { class: 'notice ' + kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}

function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 403) {
      return 'Permission denied (403): ' + e.message + '. Enter a token with the needed rights.';
    }
    return e.status + ': ' + e.message;
  }
  return String(e);
}

async function render() {
  const r = parse(location.hash);
  if (!r) {
    go('#/' + enc(localDc || 'dc1') + '/services');
    return;
  }
  renderChrome(r);
  const view = app();
  view.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  let content: HTMLElement;
  try {
    content = await page(r);
  } catch (e) {
    content = notice('error', errorText(e));
  }
  // A later navigation may have replaced this page while it loaded.
  if (location.hash === routeHash(r)) {
    view.replaceChildren(content);
  }
}

function routeHash(r: Route): string {
  return '#/' + enc(r.dc) + '/' + r.section + (r.rest ? '/' + r.rest : '');
}

async function page(r: Route): Promise<HTMLElement> {
  const rest = decodeURIComponent(r.rest);
  switch (r.section) {
    case 'services':
      return rest ? servicePage(r.dc, rest) : servicesPage(r.dc);
    case 'nodes':
      return rest ? nodePage(r.dc, rest) : nodesPage(r.dc);
    case 'kv':
      return rest === '' || rest.endsWith('/') ? kvFolderPage(r.dc, rest) : kvKeyPage(r.dc, rest);
    case 'acls':
      return rest === 'policies' ? policiesPage(r.dc) : tokensPage(r.dc);
    default:
      return notice('error', 'No page ' + r.section);
  }
}

function renderChrome(r: Route) {
  const base = '#/' + enc(r.dc) + '/';
  const link = (section: string, label: string) =>
    h('a', { href: base + section, class: r.section === section.split('/')[0] ? 'active' : null }, label);
  const links = [link('services', 'Services'), link('nodes', 'Nodes'), link('kv', 'Key/Value')];
  if (aclEnabled) {
    links.push(link('acls/tokens', 'ACL'));
  }
  document.getElementById('nav')!.replaceChildren(...links);
  const dcSwitch = document.getElementById('dc-switch')!;
  if (datacenters.length > 1) {
    const select = h('select', {
      id: 'dc-select', 'aria-label': 'datacenter',
      onchange: (e: Event) => go('#/' + enc((e.target as HTMLSelectElement).value) + '/' + r.section),
    }, datacenters.map((d) => h('option', { value: d, selected: d === r.dc }, d)));
    dcSwitch.replaceChildren(select);
  } else {
    dcSwitch.replaceChildren();
  }
  renderLogin();
}

function renderLogin() {
  const box = document.getElementById('login')!;
  if (!aclEnabled) {
    box.replaceChildren();
    return;
  }
  if (token()) {
    box.replaceChildren(h('span', { class: 'sub' }, 'token set '), h('button', {
      id: 'logout', onclick: () => {
        localStorage.removeItem(TOKEN_KEY);
        render();
      },
    }, 'Log out'));
    return;
  }
  const input = h('input', { id: 'token-input', type: 'password', placeholder: 'ACL token (SecretID)' }) as HTMLInputElement;
  box.replaceChildren(h('form', {
    class: 'inline', onsubmit: (e: Event) => {
      e.preventDefault();
      localStorage.setItem(TOKEN_KEY, input.value.trim());
      render();
    },
  }, input, h('button', { type: 'submit', id: 'login-button' }, 'Log in')));
}

// ------------------------------------------------------------------ services and nodes

async function servicesPage(dc: string): Promise<HTMLElement> {
  const services: Json[] = await api('/v1/internal/ui/services', { dc });
  return h('section', {},
    h('h1', {}, 'Services ', h('span', { class: 'sub' }, services.length + ' in ' + dc)),
    services.length === 0 ? h('p', { class: 'empty' }, 'No services.') : h('table', { id: 'services' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Service'), h('th', {}, 'Health checks'), h('th', {}, 'Instances'),
        h('th', {}, 'Nodes'), h('th', {}, 'Tags'))),
      h('tbody', {}, services.map((s) => h('tr', { 'data-service': s.Name },
        h('td', {}, h('a', { href: '#/' + enc(dc) + '/services/' + enc(s.Name) }, s.Name)),
        h('td', {}, counts(s.ChecksPassing, s.ChecksWarning, s.ChecksCritical)),
        h('td', {}, s.InstanceCount),
        h('td', {}, (s.Nodes ?? []).length),
        h('td', {}, (s.Tags ?? []).map((t: string) => h('span', { class: 'tag' }, t))))))));
}

async function servicePage(dc: string, name: string): Promise<HTMLElement> {
  const instances: Json[] = await api('/v1/health/service/' + enc(name), { dc });
  return h('section', {},
    h('p', { class: 'crumbs' }, h('a', { href: '#/' + enc(dc) + '/services' }, 'Services'), ' / '),
    h('h1', {}, name),
    instances.length === 0 ? h('p', { class: 'empty' }, 'No instances of this service.') : null,
    instances.map((i) => {
      const [p, w, c] = tally(i.Checks);
      const addr = (i.Service.Address || i.Node.Address) + (i.Service.Port ? ':' + i.Service.Port : '');
      return h('article', { class: 'instance', 'data-instance': i.Service.ID },
        h('h2', {}, i.Service.ID, ' ', counts(p, w, c)),
        h('p', {}, 'on node ', h('a', { href: '#/' + enc(dc) + '/nodes/' + enc(i.Node.Node) }, i.Node.Node),
          ' · ', addr, ' ', (i.Service.Tags ?? []).map((t: string) => h('span', { class: 'tag' }, t))),
        checksTable(i.Checks));
    }));
}

async function nodesPage(dc: string): Promise<HTMLElement> {
  const nodes: Json[] = await api('/v1/internal/ui/nodes', { dc });
  return h('section', {},
    h('h1', {}, 'Nodes ', h('span', { class: 'sub' }, nodes.length + ' in ' + dc)),
    h('table', { id: 'nodes' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', {}, 'Address'), h('th', {}, 'Health checks'),
        h('th', {}, 'Services'))),
      h('tbody', {}, nodes.map((n) => {
        const [p, w, c] = tally(n.Checks);
        return h('tr', { 'data-node': n.Node },
          h('td', {}, h('a', { href: '#/' + enc(dc) + '/nodes/' + enc(n.Node) }, n.Node)),
          h('td', {}, n.Address),
          h('td', {}, counts(p, w, c)),
          h('td', {}, (n.Services ?? []).map((s: Json) => h('span', { class: 'tag' }, s.Service))));
      }))));
}

async function nodePage(dc: string, name: string): Promise<HTMLElement> {
  let n: Json;
  try {
    n = await api('/v1/internal/ui/node/' + enc(name), { dc });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return notice('error', 'No node ' + name + ' in ' + dc);
    }
    throw e;
  }
  return h('section', {},
    h('p', { class: 'crumbs' }, h('a', { href: '#/' + enc(dc) + '/nodes' }, 'Nodes'), ' / '),
    h('h1', {}, n.Node, ' ', h('span', { class: 'sub' }, n.Address)),
    h('h2', {}, 'Services'),
    (n.Services ?? []).length === 0 ? h('p', { class: 'empty' }, 'No services.') : h('ul', {},
      n.Services.map((s: Json) => h('li', {},
        h('a', { href: '#/' + enc(dc) + '/services/' + enc(s.Service) }, s.Service), ' (', s.ID, ')',
        s.Port ? ' port ' + s.Port : ''))),
    h('h2', {}, 'Checks'),
    checksTable(n.Checks));
}

// ------------------------------------------------------------------ key/value

function kvHash(dc: string, key: string): string {
  return '#/' + enc(dc) + '/kv/' + encPath(key);
}

function crumbs(dc: string, key: string): HTMLElement {
  const parts = key.split('/');
  const out: Child[] = [h('a', { href: kvHash(dc, '') }, 'Key/Value'), ' / '];
  let acc = '';
  for (let i = 0; i < parts.length - 1; i++) {
    acc += parts[i] + '/';
    out.push(h('a', { href: kvHash(dc, acc) }, parts[i]), ' / ');
  }
  return h('p', { class: 'crumbs' }, out);
}

function decodeValue(b64: string | null): { text: string; binary: boolean; bytes: number } {
  if (!b64) {
    return { text: '', binary: false, bytes: 0 };
  }
  const raw = atob(b64);
  const bytes = Uint8Array.from(raw, (ch) => ch.charCodeAt(0));
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), binary: false, bytes: bytes.length };
  } catch {
    return { text: '', binary: true, bytes: bytes.length };
  }
}

async function kvFolderPage(dc: string, prefix: string): Promise<HTMLElement> {
  let keys: string[] = [];
  try {
    keys = await api('/v1/kv/' + encPath(prefix), { dc, query: { keys: '', separator: '/' } });
  } catch (e) {
    // Consul answers 404 for a prefix without keys: an empty folder.
    if (!(e instanceof ApiError && e.status === 404)) {
      throw e;
    }
  }
  keys = keys.filter((k) => k !== prefix);
  const msg = h('div', { id: 'kv-message' });
  const name = h('input', { id: 'kv-new-name', required: true, maxlength: 512, placeholder: 'name, or folder/ to create a folder' }) as HTMLInputElement;
  const value = h('textarea', { id: 'kv-new-value', rows: 4, placeholder: 'value' }) as HTMLTextAreaElement;
  const create = async (e: Event) => {
    e.preventDefault();
    const rel = name.value.trim();
    if (!rel || rel.startsWith('/') || rel.includes('//')) {
      msg.replaceChildren(notice('error', 'A name must not be empty, start with / or contain //.'));
      return;
    }
    const key = prefix + rel;
    const folder = key.endsWith('/');
    try {
      // cas=0: create only, so an existing key is never overwritten from this form.
      const ok = await api('/v1/kv/' + encPath(key), { method: 'PUT', dc, query: { cas: '0' },
        body: folder ? '' : value.value });
      if (!ok) {
        msg.replaceChildren(notice('error', key + ' already exists; open it to edit.'));
        return;
      }
      go(folder ? kvHash(dc, key) : kvHash(dc, prefix));
    } catch (err) {
      msg.replaceChildren(notice('error', errorText(err)));
    }
  };
  return h('section', {},
    crumbs(dc, prefix),
    h('h1', {}, prefix === '' ? 'Key/Value' : prefix),
    keys.length === 0 ? h('p', { class: 'empty' }, 'No keys here.') : h('ul', { id: 'kv-list', class: 'kv' },
      keys.map((k) => h('li', { 'data-key': k, class: k.endsWith('/') ? 'folder' : 'key' },
        h('a', { href: kvHash(dc, k) }, k.substring(prefix.length))))),
    h('h2', {}, 'Create'),
    h('form', { id: 'kv-create', onsubmit: create },
      h('label', {}, 'Name ', name),
      h('label', {}, 'Value (ignored for a folder) ', value),
      h('button', { type: 'submit', id: 'kv-create-button' }, 'Create')),
    msg);
}

async function kvKeyPage(dc: string, key: string): Promise<HTMLElement> {
  let entry: Json;
  try {
    entry = (await api('/v1/kv/' + encPath(key), { dc }))[0];
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return h('section', {}, crumbs(dc, key), notice('error', 'No key ' + key + ' (it may have been deleted).'));
    }
    throw e;
  }
  const v = decodeValue(entry.Value);
  const msg = h('div', { id: 'kv-message' });
  const editable = !v.binary && v.bytes <= MAX_EDIT_BYTES;
  const value = h('textarea', { id: 'kv-value', rows: 10, disabled: !editable }) as HTMLTextAreaElement;
  value.value = v.text;
  const flags = h('input', { id: 'kv-flags', inputmode: 'numeric', pattern: '[0-9]{1,20}' }) as HTMLInputElement;
  flags.value = String(entry.Flags ?? 0);
  const modifyIndex = String(entry.ModifyIndex);
  const save = async (e: Event) => {
    e.preventDefault();
    if (!/^[0-9]{1,20}$/.test(flags.value.trim())) {
      msg.replaceChildren(notice('error', 'Flags must be an unsigned 64-bit integer.'));
      return;
    }
    try {
      // cas=ModifyIndex: refused when someone else changed the key since this page loaded it.
      const ok = await api('/v1/kv/' + encPath(key), { method: 'PUT', dc, body: value.value,
        query: { cas: modifyIndex, flags: flags.value.trim() } });
      if (!ok) {
        msg.replaceChildren(notice('error', 'Not saved: ' + key + ' was changed by someone else since it was loaded '
          + '(ModifyIndex ' + modifyIndex + '). Reload to see the current value.'));
        return;
      }
      await render();
      document.getElementById('kv-message')?.replaceChildren(notice('ok', 'Saved.'));
    } catch (err) {
      msg.replaceChildren(notice('error', errorText(err)));
    }
  };
  const remove = async () => {
    try {
      const ok = await api('/v1/kv/' + encPath(key), { method: 'DELETE', dc, query: { cas: modifyIndex } });
      if (!ok) {
        msg.replaceChildren(notice('error', 'Not deleted: ' + key + ' was changed by someone else since it was '
          + 'loaded (ModifyIndex ' + modifyIndex + '). Reload to see the current value.'));
        return;
      }
      go(kvHash(dc, key.substring(0, key.lastIndexOf('/') + 1)));
    } catch (err) {
      msg.replaceChildren(notice('error', errorText(err)));
    }
  };
  return h('section', {},
    crumbs(dc, key),
    h('h1', { id: 'kv-key' }, key),
    h('p', { class: 'sub' }, 'ModifyIndex ', h('span', { id: 'kv-modify-index' }, modifyIndex),
      ' · CreateIndex ' + entry.CreateIndex, entry.Session ? ' · locked by session ' + entry.Session : ''),
    editable ? null : notice('error', v.binary ? 'The value is not UTF-8 text (' + v.bytes + ' bytes); it cannot be edited here.'
      : 'The value is larger than ' + MAX_EDIT_BYTES + ' bytes; it cannot be edited here.'),
    h('form', { id: 'kv-edit', onsubmit: save },
      h('label', {}, 'Value ', value),
      h('label', {}, 'Flags ', flags),
      h('button', { type: 'submit', id: 'kv-save', disabled: !editable }, 'Save'),
      h('button', { type: 'button', id: 'kv-delete', class: 'danger', onclick: remove }, 'Delete')),
    msg);
}

// ------------------------------------------------------------------ ACLs

async function tokensPage(dc: string): Promise<HTMLElement> {
  const tokens: Json[] = await api('/v1/acl/tokens', { dc });
  return h('section', {}, aclTabs(dc, 'tokens'),
    h('table', { id: 'acl-tokens' },
      h('thead', {}, h('tr', {}, h('th', {}, 'AccessorID'), h('th', {}, 'Description'), h('th', {}, 'Policies'),
        h('th', {}, 'Scope'))),
      h('tbody', {}, tokens.map((t) => h('tr', { 'data-accessor': t.AccessorID },
        h('td', {}, h('code', {}, t.AccessorID)),
        h('td', {}, t.Description || ''),
        h('td', {}, (t.Policies ?? []).map((p: Json) => h('span', { class: 'tag' }, p.Name || p.ID))),
        h('td', {}, t.Local ? 'local' : 'global'))))));
}

async function policiesPage(dc: string): Promise<HTMLElement> {
  const policies: Json[] = await api('/v1/acl/policies', { dc });
  return h('section', {}, aclTabs(dc, 'policies'),
    h('table', { id: 'acl-policies' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'ID'), h('th', {}, 'Description'),
        h('th', {}, 'Datacenters'))),
      h('tbody', {}, policies.map((p) => h('tr', { 'data-policy': p.Name },
        h('td', {}, p.Name), h('td', {}, h('code', {}, p.ID)), h('td', {}, p.Description || ''),
        h('td', {}, (p.Datacenters ?? []).join(', ') || 'all'))))));
}

function aclTabs(dc: string, active: string): HTMLElement {
  const tab = (name: string, label: string) =>
    h('a', { href: '#/' + enc(dc) + '/acls/' + name, class: name === active ? 'active' : null }, label);
  return h('div', {}, h('h1', {}, 'Access control'), h('p', { class: 'tabs' }, tab('tokens', 'Tokens'), ' ',
    tab('policies', 'Policies')));
}

// ------------------------------------------------------------------ start

/** Learns the local datacenter, the others, and whether ACLs are on; failures leave the defaults. */
async function discover() {
  try {
    const self = await api('/v1/agent/self');
    localDc = self.Config.Datacenter;
  } catch {
    // An ACL token without agent:read: fall back to the catalog's first datacenter below.
  }
  try {
    datacenters = await api('/v1/catalog/datacenters');
    if (!localDc && datacenters.length > 0) {
      localDc = datacenters[0];
    }
  } catch {
    datacenters = [];
  }
  try {
    await api('/v1/acl/policies');
    aclEnabled = true;
  } catch (e) {
    // 401 "ACL support disabled" means off; any other refusal (403) means ACLs are on.
    aclEnabled = e instanceof ApiError && e.status !== 401;
  }
}

window.addEventListener('hashchange', () => render());
discover().then(render);
