// The statelog explorer: reads the JSON API of the server that serves it (docs/http-api.md).
'use strict';

const COLORS = ['#2563eb', '#c2410c', '#15803d', '#9333ea', '#be185d', '#0e7490'];
const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

const page = {
  channel: null,     // the selected channel id
  participants: [],  // its participants' addresses
  timeline: null,    // its /timeline answer
  length: 0,         // the log's length
  follow: true,      // the slider sits at the head and follows it
};

async function get(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ? body.error.message : 'HTTP ' + r.status);
  return body;
}

function short(hex) {
  return hex && hex.length > 14 ? hex.slice(0, 8) + '…' + hex.slice(-4) : hex;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

// "participant 1 (0x0123…abcd)" for a destination that is a participant's address.
function who(destination) {
  const i = page.participants.findIndex((a) => destination.endsWith(a.slice(2)));
  return i >= 0 ? 'participant ' + i + ' (' + short(page.participants[i]) + ')' : short(destination);
}

function holdingsText(holdings) {
  return holdings.map((h) => h.amount + (/^0x0+$/.test(h.asset) ? '' : ' ' + short(h.asset))).join(', ') || '0';
}

function stateText(c) {
  if (c.concluded) return 'concluded';
  if (c.challenge.status === 'Registered') return 'challenged';
  return 'open';
}

async function loadHead() {
  const h = await get('/api/v1/head');
  page.length = h.length;
  $('head-length').textContent = h.length;
  $('head-chain').textContent = short(h.chain);
  const v = $('verify');
  v.className = 'badge ' + (h.verify.status === 'ok' ? 'ok' : h.verify.status === 'failed' ? 'failed' : '');
  v.textContent = h.verify.status === 'ok'
    ? (h.verify.length === h.length ? 'verified (' + h.length + ' events)'
      : 'verified ' + h.verify.length + ' of ' + h.length + ' events')
    : h.verify.status === 'failed' ? 'verification failed: ' + h.verify.message : 'verifying…';
}

async function loadChannels() {
  const list = await get('/api/v1/channels');
  const body = $('channels').tBodies[0];
  body.replaceChildren();
  for (const c of list.channels) {
    const tr = el('tr', { 'data-channel': c.id },
      el('td', {}, el('code', {}, short(c.id))),
      el('td', {}, el('span', { class: 'badge ' + c.kind }, c.kind)),
      el('td', {}, c.latest_supported_turn === null ? '–' : String(c.latest_supported_turn)),
      el('td', { class: 'amount' }, holdingsText(c.holdings)),
      el('td', {}, stateText(c)));
    if (c.id === page.channel) tr.classList.add('selected');
    tr.addEventListener('click', () => select(c.id));
    body.append(tr);
  }
  if (!page.channel && list.channels.length) {
    const wanted = new URLSearchParams(location.hash.slice(1)).get('channel');
    await select(wanted || list.channels[0].id);
  }
}

function kindOf(type) {
  if (/deposit|allocation/.test(type)) return 'funding';
  if (/state_/.test(type)) return 'state';
  if (/voucher/.test(type)) return 'voucher';
  if (/challenge/.test(type)) return 'challenge';
  if (/concluded/.test(type)) return 'conclusion';
  return 'other';
}

function describe(e) {
  const b = e.event;
  switch (e.type) {
    case 'state_signed': case 'state_received':
      return 'turn ' + b.state.turn_num + (b.state.is_final ? ' (final)' : '') + ' signed by ' + short(b.signer);
    case 'deposit_detected': return 'deposit ' + b.amount + ', now held ' + b.now_held;
    case 'allocation_updated': return 'now held ' + b.now_held;
    case 'voucher_sent': case 'voucher_received': return 'cumulative amount ' + b.amount;
    case 'challenge_registered': return 'turn ' + b.turn_num + ', finalizes at ' + b.finalizes_at;
    case 'challenge_cleared': return 'by turn ' + b.turn_num;
    case 'channel_concluded': return 'finalized at ' + b.finalized_at;
    case 'channel_created': return b.fixed.participants.length + ' participants';
    default: return '';
  }
}

async function select(id) {
  page.channel = id;
  page.follow = true;
  history.replaceState(null, '', '#channel=' + id);
  for (const tr of $('channels').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.channel === id);
  await loadTimeline();
}

async function loadTimeline() {
  const t = await get('/api/v1/channels/' + page.channel + '/timeline');
  page.timeline = t;
  page.participants = t.participants;
  $('detail').hidden = false;
  $('channel-id').textContent = page.channel;
  const list = $('timeline');
  list.replaceChildren();
  for (const e of t.events) {
    list.append(el('li', { class: kindOf(e.type), 'data-offset': String(e.offset) },
      el('span', { class: 'off' }, '#' + e.offset), ' ',
      el('span', { class: 'type' }, e.type.replace(/_/g, ' ')), ' ', describe(e)));
  }
  const slider = $('at');
  slider.min = String(t.events[0].offset);
  slider.max = String(Math.max(t.length - 1, t.events[0].offset));
  $('at-max').textContent = slider.max;
  if (page.follow) slider.value = slider.max;
  drawChart();
  await showAt(Number(slider.value));
}

// The channel as of offset `at`: balances, facts, timeline and chart marker.
async function showAt(at) {
  $('at-value').textContent = at;
  // The channel in statelog's one JSON shape of a channel, with its kind and balances beside it.
  const { kind, balances, channel: c } =
    await get('/api/v1/channels/' + page.channel + '?at=' + at);
  if (Number($('at').value) !== at) return;  // the slider moved on meanwhile
  $('channel-kind').textContent = kind;
  $('channel-kind').className = 'badge ' + kind;
  const body = $('balances').tBodies[0];
  body.replaceChildren();
  for (const b of balances) {
    body.append(el('tr', { 'data-destination': b.destination },
      el('td', {}, who(b.destination)), el('td', { class: 'amount' }, b.amount)));
  }
  const facts = [
    ['supported turn', c.latest_supported === null ? 'none' : String(c.latest_supported)],
    ['holdings', holdingsText(c.holdings.map(([asset, amount]) => ({ asset, amount })))],
    ['challenge', c.challenge + (c.challenge !== 'None' ? ' (turn ' + c.challenge_turn + ')' : '')],
    ['concluded', c.concluded ? 'yes' : 'no'],
    ['vouchers paid', c.paid], ['vouchers received', c.received],
    ['events', String(c.event_count)],
  ];
  $('facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  let current = null;
  for (const li of $('timeline').children) {
    const off = Number(li.dataset.offset);
    li.classList.toggle('future', off > at);
    li.classList.remove('current');
    if (off <= at) current = li;
  }
  if (current) current.classList.add('current');
  $('balances').dataset.at = String(at);  // rendered as of `at`
  const marker = $('chart').querySelector('.marker');
  if (marker) {
    const x = page.x(at);
    marker.setAttribute('x1', x);
    marker.setAttribute('x2', x);
  }
}

function drawChart() {
  const svg = $('chart');
  svg.replaceChildren();
  const events = page.timeline.events;
  const W = 520, H = 220, L = 50, R = 10, T = 10, B = 30;
  const lo = events[0].offset, hi = Math.max(Number($('at').max), lo + 1);
  page.x = (off) => L + ((off - lo) / (hi - lo)) * (W - L - R);
  const series = new Map();
  events.forEach((e, i) => {
    for (const b of e.after.balances) {
      if (!series.has(b.destination)) series.set(b.destination, new Array(events.length).fill(null));
      series.get(b.destination)[i] = Number(b.amount);
    }
  });
  let max = 1;
  for (const s of series.values()) for (const v of s) if (v !== null && v > max) max = v;
  const y = (v) => T + (1 - v / max) * (H - T - B);
  const line = (x1, y1, x2, y2, attrs) => {
    const l = document.createElementNS(SVG, 'line');
    for (const [k, v] of Object.entries({ x1, y1, x2, y2, ...attrs })) l.setAttribute(k, v);
    svg.append(l);
  };
  const text = (x, yy, s, anchor) => {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', x); t.setAttribute('y', yy); t.setAttribute('text-anchor', anchor);
    t.textContent = s;
    svg.append(t);
  };
  line(L, H - B, W - R, H - B, { stroke: '#cbd2dd' });
  line(L, T, L, H - B, { stroke: '#cbd2dd' });
  text(L - 4, y(max) + 4, String(max), 'end');
  text(L - 4, y(0) + 4, '0', 'end');
  text(L, H - 8, 'offset ' + lo, 'start');
  text(W - R, H - 8, 'offset ' + hi, 'end');
  const legend = $('legend');
  legend.replaceChildren();
  let k = 0;
  for (const [dest, values] of series) {
    const color = COLORS[k % COLORS.length];
    let d = '';
    values.forEach((v, i) => {
      if (v === null) return;
      const x1 = page.x(events[i].offset);
      const x2 = i + 1 < events.length ? page.x(events[i + 1].offset) : page.x(hi);
      d += (d ? ' L' : 'M') + x1.toFixed(1) + ' ' + y(v).toFixed(1) + ' L' + x2.toFixed(1) + ' ' + y(v).toFixed(1);
    });
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d); p.setAttribute('fill', 'none'); p.setAttribute('stroke', color);
    p.setAttribute('stroke-width', '2'); p.setAttribute('class', 'series');
    p.setAttribute('data-destination', dest);
    svg.append(p);
    legend.append(el('span', {}, el('span', { class: 'swatch c' + (k % COLORS.length) }), who(dest)));
    k++;
  }
  line(0, T, 0, H - B, { stroke: '#1d2330', 'stroke-dasharray': '4 3', class: 'marker' });
}

function onSlider() {
  const slider = $('at');
  page.follow = slider.value === slider.max;
  showAt(Number(slider.value)).catch(report);
}

function report(err) {
  $('verify').textContent = String(err.message || err);
}

// New events: listed at once; the head, the channel list and the selected channel refresh.
function connect() {
  const source = new EventSource('/api/v1/events/stream');
  let pending = null;
  source.addEventListener('open', () => { $('live').className = 'badge on'; $('live').textContent = 'live'; });
  source.addEventListener('error', () => { $('live').className = 'badge off'; $('live').textContent = 'reconnecting…'; });
  source.addEventListener('append', (m) => {
    const s = JSON.parse(m.data);
    $('recent-empty').hidden = true;
    const e = s.event;
    $('recent').prepend(el('li', { class: kindOf(e.type), 'data-offset': String(s.offset) },
      el('span', { class: 'off' }, '#' + s.offset), ' ', el('span', { class: 'type' }, e.type.replace(/_/g, ' ')),
      ' ', e.channel_id ? el('code', {}, short(e.channel_id)) : ''));
    clearTimeout(pending);
    pending = setTimeout(refresh, 200);
  });
}

async function refresh() {
  await loadHead();
  await loadChannels();
  if (page.channel) await loadTimeline();
}

async function main() {
  $('at').addEventListener('input', onSlider);
  setInterval(() => loadHead().catch(report), 5000);
  connect();
  await loadHead();
  await loadChannels();
  document.body.dataset.ready = 'true';
}

main().catch(report);
