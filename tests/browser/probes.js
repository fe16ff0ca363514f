// Measurements a test asks run-pages.js for by name ("probes": ["chartText", ...]): each gets the loaded page
// (playwright) and returns plain data, which the page's result carries under `probes`. They run after everything
// else on the page (axe, PDF, screenshot), as some of them press keys.

// Every chart's visible text: its rendered font size in CSS px (its computed size times the SVG's scale on screen),
// and its box and the chart's box, in px from the chart's top left.
function chartText() {
  return [...document.querySelectorAll('svg.chart')].map(svg => {
    const frame = svg.getBoundingClientRect();
    const shown = el => { // not inside a group the stylesheet hides at this width
      for (let node = el; node && node !== svg; node = node.parentElement) {
        if (getComputedStyle(node).display === 'none') return false;
      }
      return true;
    };
    const texts = [...svg.querySelectorAll('text')].filter(shown).map(text => {
      const box = text.getBoundingClientRect();
      const scale = Math.hypot(text.getScreenCTM().a, text.getScreenCTM().b);
      return {
        text: text.textContent,
        size: parseFloat(getComputedStyle(text).fontSize) * scale,
        left: box.left - frame.left, right: box.right - frame.left,
        top: box.top - frame.top, bottom: box.bottom - frame.top,
      };
    });
    return { id: svg.getAttribute('aria-labelledby'), width: frame.width, height: frame.height, texts };
  });
}

// Every data table: how it is laid out, whether it or the page scrolls sideways, and for each body cell its column's
// header, its data-label, what its ::before shows and how it is aligned.
function tables() {
  const root = document.documentElement;
  return {
    pageOverflow: root.scrollWidth - root.clientWidth,
    tables: [...document.querySelectorAll('table')].map(table => {
      const wrap = table.closest('.table-wrap');
      const headers = [...table.tHead.rows[0].cells].map(th => th.textContent.trim());
      const head = table.tHead.getBoundingClientRect();
      const caption = table.caption;
      return {
        caption: caption ? caption.textContent : null,
        captionShown: caption ? caption.getBoundingClientRect().height > 1 : false,
        display: getComputedStyle(table).display,
        rowDisplay: getComputedStyle(table.tBodies[0].rows[0]).display,
        headShown: head.width > 1 && head.height > 1,
        wrapOverflow: wrap ? wrap.scrollWidth - wrap.clientWidth : null,
        wrapLabel: wrap ? wrap.getAttribute('aria-label') : null,
        wrapFocusable: wrap ? wrap.tabIndex === 0 : false,
        cells: [...table.tBodies[0].rows].flatMap(row => [...row.cells].map((cell, index) => {
          const style = getComputedStyle(cell);
          const before = getComputedStyle(cell, '::before');
          return {
            tag: cell.localName,
            header: headers[index],
            label: cell.dataset.label === undefined ? null : cell.dataset.label,
            before: before.content,
            beforeShown: before.content !== 'none' && before.content !== 'normal' && before.display !== 'none',
            numeric: cell.classList.contains('numeric'),
            textAlign: style.textAlign,
            numerals: style.fontVariantNumeric,
          };
        })),
      };
    }),
  };
}

// Every date the page marks as one: whether it stays on one line.
function dates() {
  return [...document.querySelectorAll('.date')].map(el => ({
    text: el.textContent, whiteSpace: getComputedStyle(el).whiteSpace, lines: el.getClientRects().length,
  }));
}

module.exports = {
  chartText: page => page.evaluate(chartText),
  tables: page => page.evaluate(tables),
  dates: page => page.evaluate(dates),

  // How many nodes of each table role the browser's accessibility tree has, beside how many of each kind of cell
  // the DOM has: a table laid out as blocks must still be a table to a screen reader.
  async tableRoles(page) {
    const session = await page.context().newCDPSession(page);
    const { nodes } = await session.send('Accessibility.getFullAXTree');
    await session.detach();
    const roles = {};
    for (const node of nodes) {
      const role = node.role && node.role.value;
      if (['table', 'row', 'cell', 'columnheader', 'rowheader', 'gridcell'].includes(role)) {
        roles[role] = (roles[role] || 0) + 1;
      }
    }
    const dom = await page.evaluate(() => ({
      table: document.querySelectorAll('table').length,
      row: document.querySelectorAll('tr').length,
      cell: document.querySelectorAll('td').length,
      columnheader: document.querySelectorAll('th[scope=col]').length,
      rowheader: document.querySelectorAll('th[scope=row]').length,
    }));
    return { roles, dom };
  },

  // The skip link as a keyboard user meets it: the first Tab, then Enter; what has focus then, and how it looks.
  async skipLink(page) {
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement.textContent.trim());
    await page.keyboard.press('Enter');
    await page.waitForTimeout(100);
    const target = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return {
        tag: el.localName, id: el.id, background: style.backgroundColor, outline: style.outlineStyle,
        boxShadow: style.boxShadow,
      };
    });
    return { first, ...target };
  },
};
