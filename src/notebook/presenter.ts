/**
 * Presenter mode, for a teacher at a projector (`present=1` in the address, or the header's toggle):
 * large type, the lessons' teacher notes and exercise answers shown, Page Down / Page Up (what a
 * presentation clicker sends) walking from one live cell to the next, and the cells or controls the
 * address names hidden or locked, so a shared link can show exactly one slider and one picture:
 *
 *   #/forward?present=1&hide=dl-chain-vs-jump,dl-forward-explorer.seed&lock=dl-forward-explorer.schedule
 *
 * `hide` and `lock` list cells by tag (`dl-forward-explorer`: the whole cell) or a control inside a cell
 * by tag and class (`dl-forward-explorer.seed`: the elements of class "seed" in that cell, and the label
 * around an input of that class). A hidden cell is not shown; a locked one is shown but takes no input
 * (the HTML `inert` attribute: no clicks, no focus, no keys). Outside presenter mode both are ignored:
 * a student's link never hides anything.
 */

/** The address students should open: this view without the presenter's own settings (present, hide, lock). */
export function studentUrl(href: string): string {
  const u = new URL(href);
  const [path, query = ''] = u.hash.split('?', 2) as [string, string?];
  const q = new URLSearchParams(query);
  for (const k of ['present', 'hide', 'lock']) q.delete(k);
  const rest = q.toString();
  u.hash = rest ? `${path}?${rest}` : path;
  return u.href;
}

/** A parsed `hide` or `lock` entry: a cell, and optionally a class of controls inside it. */
export interface CellTarget {
  tag: string;
  control?: string;
}

/** `dl-a,dl-b.seed` -> targets; anything that is not a cell tag (dl-…) is left out. */
export function parseTargets(raw: string | null): CellTarget[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .map((s) => {
      const [tag, control] = s.split('.', 2) as [string, string | undefined];
      return { tag: tag.toLowerCase(), ...(control ? { control } : {}) };
    })
    .filter((t) => /^dl-[a-z0-9-]+$/.test(t.tag) && (!t.control || /^[A-Za-z][\w-]*$/.test(t.control)));
}

export interface PresenterView {
  hide: CellTarget[];
  lock: CellTarget[];
}

const LOCKED = 'data-dl-locked';

/** The elements of a cell a control target names: those of its class, and the labels that hold one. */
function controlsOf(cell: Element, control: string): HTMLElement[] {
  const root = cell.shadowRoot ?? cell;
  const own = [...root.querySelectorAll<HTMLElement>(`.${control}`)];
  return [...new Set(own.map((e) => (e.parentElement?.tagName === 'LABEL' ? e.parentElement : e)))];
}

/**
 * Apply a view to a lesson's cells (call again after a cell re-renders: a control Lit re-creates loses
 * its mark). Returns what it changed, so it can be undone when presenter mode is left.
 */
export function applyView(cells: readonly HTMLElement[], view: PresenterView): HTMLElement[] {
  const touched: HTMLElement[] = [];
  for (const cell of cells) {
    const tag = cell.localName;
    for (const t of view.hide.filter((x) => x.tag === tag)) {
      for (const el of t.control ? controlsOf(cell, t.control) : [cell]) {
        el.hidden = true;
        el.setAttribute(LOCKED, 'hidden');
        touched.push(el);
      }
      // the copy-link button under a hidden cell goes with it
      if (!t.control && cell.nextElementSibling?.classList.contains('cell-link')) {
        const link = cell.nextElementSibling as HTMLElement;
        link.hidden = true;
        link.setAttribute(LOCKED, 'hidden');
        touched.push(link);
      }
    }
    for (const t of view.lock.filter((x) => x.tag === tag))
      for (const el of t.control ? controlsOf(cell, t.control) : [cell]) {
        el.inert = true;
        el.setAttribute(LOCKED, 'locked');
        el.title = el.title || 'Locked by the presenter';
        touched.push(el);
      }
  }
  return touched;
}

/** Undo applyView. */
export function clearView(touched: readonly HTMLElement[]): void {
  for (const el of touched) {
    if (el.getAttribute(LOCKED) === 'hidden') el.hidden = false;
    else {
      el.inert = false;
      if (el.title === 'Locked by the presenter') el.removeAttribute('title');
    }
    el.removeAttribute(LOCKED);
  }
}

/**
 * The cell to move to from the focused element: the next (or previous) visible live cell after (or
 * before) the one holding focus, or the first (last) when none does.
 */
export function stepCell(
  cells: readonly HTMLElement[],
  from: Element | null,
  dir: 1 | -1,
): HTMLElement | null {
  const shown = cells.filter((c) => !c.hidden);
  if (!shown.length) return null;
  const at = shown.findIndex((c) => c === from || (!!from && c.contains(from)));
  if (at < 0) return dir > 0 ? shown[0]! : shown[shown.length - 1]!;
  return shown[at + dir] ?? null;
}
