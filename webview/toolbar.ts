/**
 * The viewer's toolbar on one row: the always-visible items, then actions that move into a "More
 * actions" menu (⋯) from the end when the editor is too narrow for them; a side panel toggle and a
 * keyboard shortcuts popover. Menus open with Enter/Space/ArrowDown, move with the arrow keys and close
 * with Escape (focus goes back to their button).
 */
import * as l10n from '@vscode/l10n';
import { h } from './dom';

export interface ToolbarAction {
  readonly label: string;
  readonly title?: string;
  readonly run: () => void;
  /** Names the action for tests (`data-action`). */
  readonly id?: string;
  /** A toggle: its state (aria-pressed on the button, a checked item in the menu); refreshed by `refresh()`. */
  readonly pressed?: () => boolean;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly buttons: HTMLElement[];
  private readonly more: HTMLElement;
  private readonly menu = h('div', { class: 'toolbar-menu', role: 'menu', hidden: true, 'aria-label': l10n.t('More actions') });
  private readonly help: HTMLElement;
  private readonly helpButton: HTMLElement;
  readonly panelToggle: HTMLElement;
  /** Actions shown in the menu instead of the row (the last ones first to go). */
  private hiddenFrom: number;

  constructor(fixed: readonly (HTMLElement | string)[], private readonly actions: readonly ToolbarAction[], shortcuts: readonly [string, string][], onTogglePanel: () => void) {
    this.buttons = actions.map((a) => {
      const b = button(a.label, a.run, a.title);
      if (a.id) b.dataset.action = a.id;
      return b;
    });
    this.refresh();
    this.hiddenFrom = actions.length;
    this.more = button('⋯', () => this.toggleMenu(), l10n.t('More actions'));
    this.more.setAttribute('aria-haspopup', 'menu');
    this.more.setAttribute('aria-expanded', 'false');
    this.more.classList.add('more');
    this.panelToggle = button('◨', onTogglePanel, l10n.t('Show or hide the side panel (P)'));
    this.panelToggle.classList.add('panel-toggle');
    this.helpButton = button('?', () => this.toggleHelp(), l10n.t('Keyboard shortcuts (?)'));
    this.helpButton.setAttribute('aria-haspopup', 'dialog');
    this.helpButton.classList.add('help-button');
    const table = h('table', {});
    for (const [keys, what] of shortcuts) table.append(h('tr', {}, h('td', { class: 'keys' }, keys), h('td', {}, what)));
    this.help = h('div', { class: 'help-popover', role: 'dialog', 'aria-label': l10n.t('Keyboard shortcuts'), hidden: true, tabindex: -1 },
      h('h3', {}, l10n.t('Keyboard shortcuts')), table);
    this.element = h('div', { class: 'toolbar', role: 'toolbar' }, ...fixed, ...this.buttons, this.more, this.panelToggle, this.helpButton, this.menu, this.help);
    this.menu.addEventListener('keydown', (event) => this.menuKey(event));
    this.help.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        this.toggleHelp(false);
      }
    });
    const outside = (event: PointerEvent) => {
      // a toolbar replaced by another view (a nested graph) stops listening
      if (!this.element.isConnected) {
        document.removeEventListener('pointerdown', outside);
        return;
      }
      const target = event.target as Node;
      if (!this.menu.hidden && !this.menu.contains(target) && !this.more.contains(target)) this.toggleMenu(false);
      if (!this.help.hidden && !this.help.contains(target) && !this.helpButton.contains(target)) this.toggleHelp(false);
    };
    document.addEventListener('pointerdown', outside);
    new ResizeObserver(() => this.fit()).observe(this.element);
  }

  /** Shows the toggles' current state (after one changed). */
  refresh(): void {
    this.actions.forEach((a, k) => { if (a.pressed) this.buttons[k]!.setAttribute('aria-pressed', String(a.pressed())); });
    if (!this.menu.hidden) this.fillMenu();
  }

  /** Shows as many actions on the row as fit; the rest go to the menu. */
  fit(): void {
    const row = this.element;
    for (const b of this.buttons) b.hidden = false;
    this.hiddenFrom = this.buttons.length;
    this.more.hidden = true;
    while (this.hiddenFrom > 0 && row.scrollWidth > row.clientWidth + 1) {
      this.more.hidden = false;
      this.buttons[--this.hiddenFrom]!.hidden = true;
    }
    this.element.dataset.overflow = String(this.buttons.length - this.hiddenFrom);
    if (!this.menu.hidden) this.fillMenu();
  }

  private fillMenu(): void {
    this.menu.replaceChildren(...this.actions.slice(this.hiddenFrom).map((a, k) => {
      const toggle: Record<string, string> = a.pressed ? { role: 'menuitemcheckbox', 'aria-checked': String(a.pressed()) } : { role: 'menuitem' };
      const item = h('div', { class: 'toolbar-menu-item', ...toggle, tabindex: k === 0 ? 0 : -1, ...(a.title ? { title: a.title } : {}), ...(a.id ? { 'data-action': a.id } : {}) },
        a.pressed?.() ? `✓ ${a.label}` : a.label);
      item.addEventListener('click', () => {
        this.toggleMenu(false);
        a.run();
      });
      return item;
    }));
  }

  toggleMenu(open = this.menu.hidden): void {
    if (open) {
      this.toggleHelp(false);
      this.fillMenu();
      this.menu.hidden = false;
      this.more.setAttribute('aria-expanded', 'true');
      this.place(this.menu, this.more);
      (this.menu.firstElementChild as HTMLElement | null)?.focus();
    } else if (!this.menu.hidden) {
      this.menu.hidden = true;
      this.more.setAttribute('aria-expanded', 'false');
      this.more.focus();
    }
  }

  toggleHelp(open = this.help.hidden): void {
    if (open) {
      this.toggleMenu(false);
      this.help.hidden = false;
      this.place(this.help, this.helpButton);
      this.help.focus();
    } else if (!this.help.hidden) {
      this.help.hidden = true;
      this.helpButton.focus();
    }
  }

  /** Under its button, kept inside the window. */
  private place(popup: HTMLElement, anchor: HTMLElement): void {
    const box = anchor.getBoundingClientRect();
    const width = popup.offsetWidth;
    popup.style.top = `${box.bottom + 2}px`;
    popup.style.left = `${Math.max(4, Math.min(box.right - width, window.innerWidth - width - 4))}px`;
  }

  private menuKey(event: KeyboardEvent): void {
    const items = [...this.menu.querySelectorAll<HTMLElement>('[role=menuitem], [role=menuitemcheckbox]')];
    const k = items.indexOf(document.activeElement as HTMLElement);
    const focus = (i: number) => {
      const item = items[(i + items.length) % items.length];
      if (!item) return;
      for (const x of items) x.tabIndex = -1;
      item.tabIndex = 0;
      item.focus();
    };
    switch (event.key) {
      case 'ArrowDown': focus(k + 1); break;
      case 'ArrowUp': focus(k - 1); break;
      case 'Home': focus(0); break;
      case 'End': focus(items.length - 1); break;
      case 'Enter':
      case ' ':
        items[k]?.click();
        break;
      case 'Escape':
      case 'Tab':
        this.toggleMenu(false);
        break;
      default: return;
    }
    event.preventDefault();
    event.stopPropagation();
  }
}

export function button(label: string, onClick: () => void, title?: string): HTMLElement {
  // symbol buttons (⋯, ?, +) are named by their title for screen readers
  const b = h('vscode-button', { secondary: true, ...(title ? { title } : {}), ...(title && label.length <= 2 ? { 'aria-label': title } : {}) }, label);
  b.addEventListener('click', onClick);
  return b;
}
