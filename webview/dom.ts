/**
 * Element construction without HTML strings: every text (node names, attribute values, messages)
 * becomes a Text node, so nothing from a model is ever parsed as markup.
 */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Record<string, string | boolean | number>, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Record<string, string | boolean | number>, ...children: Child[]): HTMLElement;
export function h(tag: string, props: Record<string, string | boolean | number> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === false) continue;
    if (key === 'class') element.className = String(value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** Runs `run` on a click, and on Enter or Space when the element (focusable: tabindex 0) has the focus. */
export function activate(element: HTMLElement, run: () => void): void {
  element.addEventListener('click', run);
  element.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    run();
  });
}
