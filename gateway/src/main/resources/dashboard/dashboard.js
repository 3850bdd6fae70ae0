// The live dashboard: polls the balancer endpoint once a second and draws each service as
// cards (one per instance) and three rolling charts. Requests/s is the change of each
// instance's `sent` counter between two polls, so it needs no server-side rate state.
'use strict';

const POLL_MS = 1000;
const HISTORY = 60;
const COLORS = ['#1565c0', '#2e7d32', '#c62828', '#6a1b9a', '#ef6c00', '#00838f', '#4e342e', '#ad1457'];
const CHARTS = ['rps', 'inFlight', 'p99'];

const services = new Map();

function text(parent, selector, value) {
	parent.querySelector(selector).textContent = value;
}

function number(value, digits) {
	return value == null ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function chart(canvas, integers) {
	return new Chart(canvas, {
		type: 'line',
		data: { labels: [], datasets: [] },
		options: {
			animation: false,
			maintainAspectRatio: false,
			interaction: { mode: 'index', intersect: false },
			elements: { point: { radius: 0 }, line: { borderWidth: 2, tension: 0.2 } },
			scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true, ticks: { precision: integers ? 0 : undefined } } },
			plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
		},
	});
}

function serviceView(id) {
	let view = services.get(id);
	if (view) {
		return view;
	}
	const section = document.getElementById('service-template').content.firstElementChild.cloneNode(true);
	section.dataset.service = id;
	text(section, '.name', id);
	document.getElementById('services').append(section);
	const charts = {};
	for (const name of CHARTS) {
		charts[name] = chart(section.querySelector(`canvas[data-chart="${name}"]`), name === 'inFlight');
	}
	view = { id, section, charts, cards: new Map(), previous: new Map(), colors: new Map() };
	services.set(id, view);
	return view;
}

function card(view, address) {
	let element = view.cards.get(address);
	if (element) {
		return element;
	}
	element = document.getElementById('card-template').content.firstElementChild.cloneNode(true);
	element.dataset.instance = address;
	text(element, '.address', address);
	for (const button of element.querySelectorAll('button')) {
		button.addEventListener('click', () => operate(view.id, address, button.dataset.action));
	}
	view.section.querySelector('.cards').append(element);
	view.cards.set(address, element);
	return element;
}

function color(view, address) {
	if (!view.colors.has(address)) {
		view.colors.set(address, COLORS[view.colors.size % COLORS.length]);
	}
	return view.colors.get(address);
}

function requestsPerSecond(view, instance, now) {
	const previous = view.previous.get(instance.address);
	view.previous.set(instance.address, { sent: instance.sent, at: now });
	if (!previous || instance.sent < previous.sent) {
		return null;
	}
	return (instance.sent - previous.sent) * 1000 / (now - previous.at);
}

function plot(view, name, label, values) {
	const data = view.charts[name].data;
	data.labels.push(label);
	if (data.labels.length > HISTORY) {
		data.labels.shift();
	}
	data.datasets = data.datasets.filter((dataset) => values.has(dataset.label));
	for (const [address, value] of values) {
		let dataset = data.datasets.find((candidate) => candidate.label === address);
		if (!dataset) {
			dataset = { label: address, borderColor: color(view, address), backgroundColor: color(view, address),
				data: new Array(data.labels.length - 1).fill(null) };
			data.datasets.push(dataset);
		}
		dataset.data.push(value);
		if (dataset.data.length > HISTORY) {
			dataset.data.shift();
		}
	}
	view.charts[name].update('none');
}

function render(body, now) {
	const label = new Date().toLocaleTimeString('en-GB');
	for (const [id, service] of Object.entries(body)) {
		const view = serviceView(id);
		text(view.section, '.algorithm', service.algorithm);
		const series = { rps: new Map(), inFlight: new Map(), p99: new Map() };
		let total = 0;
		for (const instance of service.instances) {
			const rps = requestsPerSecond(view, instance, now);
			total += rps || 0;
			const element = card(view, instance.address);
			element.dataset.state = instance.state;
			text(element, '.state', instance.state);
			// why it takes no requests (ejected, drained, departed), on hover
			element.querySelector('.state').title = instance.reason || '';
			text(element, '.weight', instance.effectiveWeight === instance.weight ? `${instance.weight}`
				: `${number(instance.effectiveWeight, 1)} of ${instance.weight}`);
			text(element, '.rps', number(rps, 1));
			text(element, '.in-flight', number(instance.inFlight, 0));
			text(element, '.sent', number(instance.sent, 0));
			text(element, '.failures', number(instance.failures, 0));
			text(element, '.latency', instance.latency
				? `${number(instance.latency.p50Ms, 1)} / ${number(instance.latency.p99Ms, 1)} ms` : '–');
			text(element, '.probe', instance.lastProbe
				? `${instance.lastProbe.success ? 'ok' : 'failed'}: ${instance.lastProbe.result}` : '–');
			// the instance's own load report: every gateway's requests, not only this one's
			const reported = instance.reported;
			text(element, '.reported', reported
				? `${number(reported.inFlight, 0)} (${number(reported.elsewhere, 0)} elsewhere)` : '–');
			text(element, '.reported-load', reported
				? `${number(reported.cpuUtilization * 100, 0)} % CPU, ${number(reported.rps, 0)}/s` : '–');
			element.querySelector('.reported-load').title = reported ? `reported ${reported.ageMs} ms ago` : '';
			const drained = instance.state === 'DRAINING' && instance.weight > 0;
			const toggle = element.querySelector('button[data-action="drain"], button[data-action="undrain"]');
			toggle.dataset.action = drained ? 'undrain' : 'drain';
			toggle.textContent = drained ? 'Undrain' : 'Drain';
			series.rps.set(instance.address, rps);
			series.inFlight.set(instance.address, instance.inFlight);
			series.p99.set(instance.address, instance.latency ? instance.latency.p99Ms : null);
		}
		for (const [address, element] of view.cards) {
			if (!series.rps.has(address)) {
				element.remove();
				view.cards.delete(address);
				view.previous.delete(address);
			}
		}
		// Cards in address order (ports numerically), whatever order discovery listed them in.
		// Only when it changes: moving a card under the pointer would swallow a click.
		const cards = view.section.querySelector('.cards');
		const order = [...view.cards.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
		if (order.some((address, i) => cards.children[i] !== view.cards.get(address))) {
			order.forEach((address) => cards.append(view.cards.get(address)));
		}
		text(view.section, '.total', `${number(total, 0)} requests/s`);
		for (const name of CHARTS) {
			plot(view, name, label, series[name]);
		}
	}
}

function status(state, message) {
	const element = document.getElementById('status');
	element.dataset.status = state;
	element.textContent = message;
}

async function operate(service, address, action) {
	const path = ['balancer', service, address].map((part) => encodeURIComponent(part).replace(/%3A/gi, ':'));
	// A 401 makes the browser ask for the operator's credentials (HTTP Basic) and resend.
	const response = await fetch(path.join('/'), {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ action }),
	}).catch((error) => ({ ok: false, status: 0, statusText: error.message }));
	if (!response.ok) {
		const problem = response.json ? await response.json().catch(() => null) : null;
		message(`${action} ${address}: ${problem && problem.detail ? problem.detail
			: (response.status === 401 ? 'operator credentials needed' : `${response.status} ${response.statusText}`)}`);
	}
}

function message(value) {
	const element = document.getElementById('message');
	element.textContent = value;
	clearTimeout(element.timer);
	element.timer = setTimeout(() => { element.textContent = ''; }, 10000);
}

async function poll() {
	try {
		const response = await fetch('balancer', { cache: 'no-store', headers: { Accept: 'application/json' } });
		if (!response.ok) {
			throw new Error(`GET balancer answered ${response.status}`);
		}
		render(await response.json(), performance.now());
		status('live', 'live');
		document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString('en-GB')}`;
	}
	catch (error) {
		status('error', `no data: ${error.message}`);
	}
	finally {
		setTimeout(poll, POLL_MS);
	}
}

poll();
