/** A tiny element builder. Strings become text nodes (never HTML): message bodies are always text. */
type Child = Node | string | null | undefined | false;
type Props = Record<string, unknown> | null;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props)
    for (const key in props) {
      const v = props[key];
      if (v === undefined || v === null || v === false) continue;
      if (key === 'class') el.className = String(v);
      else if (key === 'text') el.textContent = String(v);
      else if (key.startsWith('on') && typeof v === 'function') el.addEventListener(key.slice(2), v as EventListener);
      else el.setAttribute(key, v === true ? '' : String(v));
    }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A static, trusted SVG icon (constants only, never user data). */
export function icon(svg: string): HTMLSpanElement {
  const span = h('span', { class: 'cd-ico', 'aria-hidden': 'true' });
  span.innerHTML = svg;
  return span;
}

const path = (d: string, extra = '') =>
  `<svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" focusable="false"${extra}><path d="${d}"/></svg>`;

export const ICONS = {
  chat: `<svg viewBox="0 0 24 24" width="28" height="28" fill="currentColor" focusable="false"><path d="M12 3C6.5 3 2 6.8 2 11.5c0 2.6 1.4 4.9 3.6 6.5L5 21.5l4-2.1c.9.2 1.9.3 3 .3 5.5 0 10-3.8 10-8.5S17.5 3 12 3z"/></svg>`,
  close: path('M6 6l12 12M18 6L6 18'),
  emoji: path('M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8.5 14.5s1.2 2 3.5 2 3.5-2 3.5-2M9 9.5h.01M15 9.5h.01'),
  plus: path('M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 8v8M8 12h8'),
  photo: path('M4 5h16v14H4zM4 16l4.5-4.5 3.5 3.5 2.5-2.5L20 18M15.5 9.5h.01'),
  camera: path('M4 8h3l2-3h6l2 3h3v11H4zM12 16.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z'),
  file: path('M14 3H6v18h12V7zM14 3v4h4'),
  down: path('M12 5v14M6 13l6 6 6-6'),
  person: `<svg viewBox="0 0 24 24" width="24" height="24" fill="currentColor" focusable="false"><path d="M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm0 2c-4.4 0-8 2.2-8 5v2h16v-2c0-2.8-3.6-5-8-5z"/></svg>`,
};
