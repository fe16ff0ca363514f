// node run-pages.js CONFIG.json -> one JSON result per page on stdout.
// CONFIG: {"base": "http://127.0.0.1:PORT", "shots": "DIR" | null, "pages": ["index.html", ...], "axe": true,
//          "parallel": 1, "width": 1280, "probes": ["chartText", ...] (see probes.js), "clip": {...} (see below)}
// For each page: HTTP status, console errors, page errors, dialogs opened (a script ran), failed requests,
// requests that left the site, axe-core violations (WCAG 2.0/2.1/2.2 A and AA), the page's visible text, and
// what in its DOM could run script (see `dom` below).
// A request that leaves the site is recorded and then aborted: a test run never contacts another host.
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const AXE = require.resolve('axe-core/axe.min.js');
const PROBES = require('./probes.js');
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  rules: { 'td-has-header': { enabled: true } }, // tagged wcag2a but experimental: off unless named
};

const offsite = url => !url.startsWith(config.base) && !url.startsWith('data:');

// The DOM's script-capable parts: every element name present, every event-handler attribute (on*), every URL
// attribute with a javascript:, vbscript: or data: scheme, and every <meta http-equiv> (a refresh can navigate).
function inspectDom() {
  const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster', 'background', 'srcdoc'];
  const tags = new Set();
  const handlers = [];
  const urls = [];
  const metaHttpEquiv = [];
  for (const el of document.querySelectorAll('*')) {
    tags.add(el.localName);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) handlers.push(`<${el.localName} ${name}="${attr.value}">`);
      if (URL_ATTRS.includes(name) && /^[\s\u0000-\u001f]*(javascript|vbscript|data)\s*:/i.test(attr.value)) {
        urls.push(`<${el.localName} ${name}="${attr.value}">`);
      }
    }
    if (el.localName === 'meta' && el.hasAttribute('http-equiv')) metaHttpEquiv.push(el.outerHTML);
  }
  return { tags: [...tags].sort(), handlers, urls, metaHttpEquiv, scripts: document.scripts.length };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', // Debian's browser, never a downloaded one
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: config.width || 1280, height: 800 } });
  await context.route(url => offsite(url.href), route => route.abort('blockedbyclient'));
  async function visit(rel) {
    const page = await context.newPage();
    const result = { page: rel, consoleErrors: [], pageErrors: [], dialogs: [], failedRequests: [], offsite: [] };
    page.on('console', m => { if (m.type() === 'error') result.consoleErrors.push(m.text()); });
    page.on('pageerror', e => result.pageErrors.push(e.message));
    page.on('dialog', d => { result.dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss(); });
    page.on('requestfailed', r => result.failedRequests.push(r.url()));
    page.on('request', r => { if (offsite(r.url())) result.offsite.push(r.url()); });
    const response = await page.goto(`${config.base}/${rel}`, { waitUntil: 'load' });
    result.status = response ? response.status() : null;
    await page.waitForTimeout(50);
    // two animation frames: what fires after load (autofocus, <details ontoggle>) has had its turn
    await page.evaluate(() => new Promise(done => {
      setTimeout(done, 1000);
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));
    }));
    result.text = await page.evaluate(() => document.body.innerText);
    result.title = await page.title();
    result.dom = await page.evaluate(inspectDom);
    if (config.axe) {
      await page.addScriptTag({ path: AXE });
      const axe = await page.evaluate(o => axe.run(document, o), AXE_OPTIONS);
      result.violations = axe.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                                   first: v.nodes[0] && v.nodes[0].target,
                                                   targets: v.nodes.map(n => n.target.join(' ')) }));
    }
    if (config.pdf) { // printed as a browser prints it: the print stylesheet, the page size it asks for
      await page.emulateMedia({ media: 'print' });
      await page.pdf({ path: path.join(config.pdf, rel.replace(/[\/\\]/g, '__') + '.pdf'), preferCSSPageSize: true });
      await page.emulateMedia({ media: 'screen' });
    }
    if (config.shots) { // the whole page; or, with "clip": {"height": px, "from": "selector" | null}, that part of it
      const options = { path: path.join(config.shots, rel.replace(/[\/\\]/g, '__') + '.png'), fullPage: true };
      if (config.clip) {
        const top = !config.clip.from ? 0 : await page.evaluate(
          selector => document.querySelector(selector).getBoundingClientRect().top + window.scrollY, config.clip.from);
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        const y = Math.max(0, Math.floor(top) - 16);
        options.clip = { x: 0, y, width: config.width || 1280, height: Math.min(config.clip.height, height - y) };
      }
      await page.screenshot(options);
    }
    if (config.probes && config.probes.length) { // last: a probe may press keys
      result.probes = {};
      for (const name of config.probes) result.probes[name] = await PROBES[name](page);
    }
    await page.close();
    return result;
  }
  // `parallel` pages at a time (default 1), each in its own tab; results are printed in the order of `pages`
  const results = new Array(config.pages.length);
  let next = 0;
  let printed = 0;
  async function worker() {
    while (next < config.pages.length) {
      const index = next++;
      results[index] = await visit(config.pages[index]);
      while (printed < results.length && results[printed]) console.log(JSON.stringify(results[printed++]));
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, config.parallel || 1) }, worker));
  await browser.close();
})().catch(e => { console.error(e); process.exit(2); });
