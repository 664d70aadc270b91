// A tiny DOM builder: every text goes in as a text node, never as HTML, so nothing a tenant submits
// (titles, errors, stages) can inject markup into the dashboard.

type Child = Node | string | number | null | undefined | false;
type AttributeValue = string | number | boolean | null | undefined;
export type Attributes = Record<string, AttributeValue | ((event: Event) => void)>;

export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined)
      element.setAttribute(name, String(value));
  }
  element.append(...childNodes(children));
  return element;
};

const childNodes = (children: Child[]): (Node | string)[] =>
  children.flatMap((child) =>
    child === null || child === undefined || child === false
      ? []
      : typeof child === "number"
        ? [String(child)]
        : [child],
  );

/** Replaces an element's content. */
export const mount = (parent: Element, ...children: Child[]) =>
  parent.replaceChildren(...childNodes(children));

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}`);
  return element as T;
};
