import { t } from '../../staff-i18n/index.js';
/**
 * Keyboard shortcuts on the focused session (issue #14 §1). Each presses the focused card's own
 * button (so a shortcut does exactly what the click does, and nothing a disabled button would not):
 * a dispatcher with a headset on and a hand on the keyboard never hunts for a small button.
 * No shortcut fires while typing (an input, a select, an editable element), nor with Ctrl, Alt or
 * Meta held (the browser's and the screen reader's own keys), nor on key repeat.
 */
export interface Shortcut {
  /** `KeyboardEvent.key` values, lower case for letters. */
  keys: string[];
  /** What the legend and the help text say. */
  label: string;
  /** The card's control: `data-testid` values, or a button's exact text as a fallback. */
  target?: { testids: string[]; text?: string; focus?: boolean };
  /** Anything else (walking the rail). */
  run?: () => void;
}

export function consoleShortcuts(next: (step: 1 | -1) => void): Shortcut[] {
  return [
    { keys: ['s'], label: t('console.keys.snapshot'), target: { testids: ['snapshot-button'] } },
    { keys: ['b'], label: t('console.keys.blur'), target: { testids: ['blur-toggle'] } },
    { keys: ['+', '='], label: t('console.keys.zoomIn'), target: { testids: ['zoom-in'], text: t('console.video.zoomIn') } },
    { keys: ['-'], label: t('console.keys.zoomOut'), target: { testids: ['zoom-out'], text: t('console.video.zoomOut') } },
    { keys: ['f'], label: t('console.keys.fullscreen'), target: { testids: ['fullscreen'] } },
    { keys: ['c'], label: t('console.keys.chat'), target: { testids: ['chat-input'], focus: true } },
    { keys: ['n'], label: t('console.keys.next'), run: () => next(1) },
    { keys: ['p'], label: t('console.keys.previous'), run: () => next(-1) },
  ];
}

/** Whether a key press belongs to what the user is typing, not to the console. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  // Buttons, checkboxes and radios take no text: a letter pressed on them is a shortcut.
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset', 'range'].includes(target.type);
}

/** Listens on the document until `signal` aborts; `card()` is the focused session's card element. */
export function wireShortcuts(shortcuts: Shortcut[], card: () => HTMLElement | undefined, signal: AbortSignal): void {
  document.addEventListener(
    'keydown',
    (ev) => {
      if (ev.defaultPrevented || ev.repeat || ev.ctrlKey || ev.altKey || ev.metaKey || isTyping(ev.target)) return;
      const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
      const shortcut = shortcuts.find((s) => s.keys.includes(key));
      if (!shortcut) return;
      if (shortcut.run) {
        ev.preventDefault();
        shortcut.run();
        return;
      }
      const control = shortcut.target && find(card(), shortcut.target);
      if (!control || (control as HTMLButtonElement).disabled) return;
      ev.preventDefault();
      if (shortcut.target?.focus) control.focus();
      else control.click();
    },
    { signal },
  );
}

function find(card: HTMLElement | undefined, target: NonNullable<Shortcut['target']>): HTMLElement | undefined {
  if (!card) return undefined;
  for (const id of target.testids) {
    const el = card.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    if (el) return el;
  }
  return target.text ? [...card.querySelectorAll('button')].find((b) => b.textContent === target.text) : undefined;
}

/** "S snapshot · B blur · …": the legend under the rail. */
export function legendOf(shortcuts: Shortcut[]): string {
  return shortcuts.map((s) => `${s.keys[0]!.toUpperCase()} ${s.label}`).join(' · ');
}
