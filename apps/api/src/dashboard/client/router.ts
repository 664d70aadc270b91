/** The dashboard's address: `?view=` picks the page, other parameters are that page's (filters, job id). */
export type Route = { view: "jobs" | "job" | "submit" | "health"; params: URLSearchParams };

const views: Route["view"][] = ["jobs", "job", "submit", "health"];

export const currentRoute = (): Route => {
  const params = new URLSearchParams(location.search);
  const view = params.get("view") as Route["view"] | null;
  return { view: view && views.includes(view) ? view : "jobs", params };
};

export const hrefOf = (view: Route["view"], params: Record<string, string | undefined> = {}) => {
  const query = new URLSearchParams(view === "jobs" ? {} : { view });
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
  const search = query.toString();
  return `/dashboard${search ? `?${search}` : ""}`;
};

const routeListeners = new Set<() => void>();

export const onRouteChange = (listener: () => void) => {
  routeListeners.add(listener);
  addEventListener("popstate", listener);
};

/** Moves to another page without reloading (the live stream stays open). */
export const navigate = (href: string, { replace = false } = {}) => {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  for (const listener of routeListeners) listener();
};

/** A link that navigates in place; a modified click still opens a new tab as usual. */
export const linkHandler = (event: Event) => {
  const mouse = event as MouseEvent;
  if (mouse.ctrlKey || mouse.metaKey || mouse.shiftKey || mouse.button !== 0) return;
  const anchor = event.currentTarget as HTMLAnchorElement;
  event.preventDefault();
  navigate(anchor.getAttribute("href") ?? "/dashboard");
};
