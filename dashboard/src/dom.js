// Tiny DOM helpers: text always goes through textContent (never innerHTML), so API data cannot inject markup.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let uniqueId = 0;
export const nextId = (prefix) => `${prefix}-${++uniqueId}`;

/**
 * Accessible tabs (WAI-ARIA tabs pattern): arrow keys, Home and End move between tabs; panels are created lazily
 * by `render(panel)` the first time they are shown, so charts get a visible, sized canvas.
 */
export function tabs(label, items, { onShow } = {}) {
  const list = h('div', { role: 'tablist', 'aria-label': label, class: 'tablist' });
  const container = h('div', { class: 'tabs' }, list);
  const entries = items.map((item) => {
    const id = nextId('tab');
    const tab = h('button', { role: 'tab', id, type: 'button', 'aria-selected': 'false', tabindex: '-1', 'data-tab': item.key }, item.title);
    const panel = h('div', { role: 'tabpanel', 'aria-labelledby': id, hidden: true, tabindex: '0', 'data-panel': item.key, class: 'panel' });
    tab.setAttribute('aria-controls', (panel.id = `${id}-panel`));
    list.append(tab);
    container.append(panel);
    return { item, tab, panel, rendered: false };
  });
  const select = (index, focus = false) => {
    entries.forEach((entry, i) => {
      const selected = i === index;
      entry.tab.setAttribute('aria-selected', String(selected));
      entry.tab.tabIndex = selected ? 0 : -1;
      entry.panel.hidden = !selected;
      if (selected && !entry.rendered && entry.item.render) {
        entry.rendered = true;
        entry.item.render(entry.panel);
      }
    });
    if (focus) entries[index].tab.focus();
    onShow?.(entries[index].item.key);
  };
  entries.forEach((entry, i) => {
    entry.tab.addEventListener('click', () => select(i));
    entry.tab.addEventListener('keydown', (event) => {
      const last = entries.length - 1;
      const next = { ArrowRight: i === last ? 0 : i + 1, ArrowLeft: i === 0 ? last : i - 1, Home: 0, End: last }[event.key];
      if (next !== undefined) {
        event.preventDefault();
        select(next, true);
      }
    });
  });
  if (entries.length) select(0);
  return { element: container, select: (key) => select(entries.findIndex((e) => e.item.key === key)) };
}

export function chartBox(caption) {
  const canvas = h('canvas');
  return { canvas, element: h('figure', { class: 'chart' }, h('div', { class: 'chart-area' }, canvas), h('figcaption', {}, caption)) };
}

export function table(headers, rows, caption) {
  // Wide tables scroll inside their own box, so a narrow screen never scrolls the whole page sideways.
  return h('div', { class: 'table-wrap' }, h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c)))))));
}
