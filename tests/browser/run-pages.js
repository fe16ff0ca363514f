// node run-pages.js CONFIG.json -> one JSON result per page on stdout.
// CONFIG: {"base": "http://127.0.0.1:PORT", "shots": "DIR" | null, "pages": ["index.html", ...], "axe": true}
// For each page: HTTP status, console errors, page errors, dialogs opened (a script ran), failed requests,
// requests that left the site, axe-core violations (WCAG 2.0/2.1/2.2 A and AA), and the page's visible text.
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const AXE = require.resolve('axe-core/axe.min.js');
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  rules: { 'td-has-header': { enabled: true } }, // tagged wcag2a but experimental: off unless named
};

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', // Debian's browser, never a downloaded one
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  for (const rel of config.pages) {
    const page = await context.newPage();
    const result = { page: rel, consoleErrors: [], pageErrors: [], dialogs: [], failedRequests: [], offsite: [] };
    page.on('console', m => { if (m.type() === 'error') result.consoleErrors.push(m.text()); });
    page.on('pageerror', e => result.pageErrors.push(e.message));
    page.on('dialog', d => { result.dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss(); });
    page.on('requestfailed', r => result.failedRequests.push(r.url()));
    page.on('request', r => { if (!r.url().startsWith(config.base) && !r.url().startsWith('data:')) result.offsite.push(r.url()); });
    const response = await page.goto(`${config.base}/${rel}`, { waitUntil: 'load' });
    result.status = response ? response.status() : null;
    await page.waitForTimeout(50);
    result.text = await page.evaluate(() => document.body.innerText);
    result.title = await page.title();
    if (config.axe) {
      await page.addScriptTag({ path: AXE });
      const axe = await page.evaluate(o => axe.run(document, o), AXE_OPTIONS);
      result.violations = axe.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                                                   first: v.nodes[0] && v.nodes[0].target }));
    }
    if (config.shots) {
      await page.screenshot({ path: path.join(config.shots, rel.replace(/[\/\\]/g, '__') + '.png'), fullPage: true });
    }
    console.log(JSON.stringify(result));
    await page.close();
  }
  await browser.close();
})().catch(e => { console.error(e); process.exit(2); });
