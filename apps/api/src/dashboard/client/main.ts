import type { JobTypeDescription } from "@kiln/core";
import { createApi, type DashboardApi, mintSessionKey, revokeSessionKey } from "./api.ts";
import { byId, h, mount } from "./dom.ts";
import { renderHealthView } from "./health-view.ts";
import { renderJobView } from "./job-view.ts";
import { createJobsState, type JobsState } from "./jobs-state.ts";
import { filtersOf, renderJobsView } from "./jobs-view.ts";
import { openLiveStream, type StreamState } from "./live-stream.ts";
import { currentRoute, hrefOf, linkHandler, onRouteChange } from "./router.ts";
import { clearSession, loadSession, type Session, saveSession } from "./session.ts";
import { renderSignIn } from "./sign-in-view.ts";
import { renderSubmitView } from "./submit-view.ts";

const main = byId("main");
const nav = byId("nav");
const sessionInfo = byId("session-info");
const banner = byId("connection-banner");

interface Signed {
  session: Session;
  /** Settles once the company stream is open (or after a few seconds without it). */
  streamOpen: Promise<void>;
  api: DashboardApi;
  state: JobsState;
  jobTypes: JobTypeDescription[];
  stream: { close(): void };
}

let signed: Signed | undefined;
let leaveView: (() => void) | undefined;

const showStreamState = (state: StreamState) => {
  document.body.dataset.stream = state;
  banner.hidden = state !== "reconnecting";
  mount(banner, state === "reconnecting" ? "Live updates interrupted — reconnecting…" : "");
};

const renderNav = ({ session }: Signed) => {
  const link = (view: Parameters<typeof hrefOf>[0], label: string) =>
    h("a", { href: hrefOf(view), onclick: linkHandler }, label);
  mount(nav, link("jobs", "Jobs"), link("submit", "Submit"), session.admin ? link("health", "Queues") : "");
  const switchForm = h(
    "form",
    { class: "switch-company" },
    h("label", { for: "switch-company" }, "Company"),
    h("input", { id: "switch-company", name: "company", value: session.companyId, spellcheck: false }),
    h("button", { type: "submit" }, "Switch"),
  );
  switchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const companyId = String(new FormData(switchForm).get("company") ?? "").trim();
    if (companyId && companyId !== session.companyId) void switchCompany(companyId);
  });
  mount(
    sessionInfo,
    session.admin ? switchForm : h("span", { class: "mono" }, session.companyId),
    h("button", { type: "button", onclick: () => void signOut() }, "Sign out"),
  );
};

const renderRoute = async () => {
  if (!signed) return;
  leaveView?.();
  leaveView = undefined;
  const { api, state, jobTypes, session, streamOpen } = signed;
  const route = currentRoute();
  for (const anchor of nav.querySelectorAll("a")) {
    const current = new URL(anchor.href).searchParams.get("view") ?? "jobs";
    if (current === route.view) anchor.setAttribute("aria-current", "page");
    else anchor.removeAttribute("aria-current");
  }
  if (route.view === "job") {
    leaveView = await renderJobView(main, { api, jobId: route.params.get("id") ?? "" });
  } else if (route.view === "submit") {
    renderSubmitView(main, { api, jobTypes, selected: route.params.get("jobType") ?? undefined });
  } else if (route.view === "health" && session.admin) {
    await renderHealthView(main, { api });
  } else {
    leaveView = await renderJobsView(main, {
      api,
      state,
      filters: filtersOf(route.params),
      jobTypes: jobTypes.map((type) => type.jobType),
      submitted: route.params.get("submitted") ?? undefined,
      streamOpen,
    });
  }
};

const start = async (session: Session) => {
  const api = createApi(session);
  const state = createJobsState();
  let opened: () => void = () => {};
  // The list is read once the stream is open, so no change falls between the two; a stream that
  // cannot open yet does not hold the table back for long.
  const streamOpen = new Promise<void>((resolve) => {
    opened = resolve;
    setTimeout(resolve, 5_000);
  });
  const stream = openLiveStream({
    path: `${api.base}/events`,
    mintToken: api.mintStreamToken,
    onEvent: state.apply,
    onState: (streamState) => {
      if (streamState === "live") opened();
      showStreamState(streamState);
    },
  });
  let jobTypes: JobTypeDescription[] = [];
  try {
    jobTypes = await api.jobTypes();
  } catch {
    // The submit page says so; the jobs table works without them.
  }
  signed = { session, api, state, jobTypes, stream, streamOpen };
  renderNav(signed);
  await renderRoute();
};

const stop = async ({ revoke }: { revoke: boolean }) => {
  leaveView?.();
  leaveView = undefined;
  const previous = signed;
  signed = undefined;
  previous?.stream.close();
  const admin = previous?.session.admin;
  if (revoke && previous && admin) {
    await revokeSessionKey(admin.token, previous.session.companyId, admin.keyId).catch(() => {});
  }
  return previous;
};

const signOut = async () => {
  await stop({ revoke: true });
  clearSession();
  showSignIn();
};

const switchCompany = async (companyId: string) => {
  const admin = signed?.session.admin;
  if (!admin) return;
  try {
    const minted = await mintSessionKey(admin.token, companyId);
    await stop({ revoke: true });
    const session = { companyId, key: minted.key, admin: { token: admin.token, keyId: minted.id } };
    saveSession(session);
    await start(session);
  } catch (error) {
    alert(`Could not switch company: ${(error as Error).message}`);
  }
};

const showSignIn = () => {
  mount(nav);
  mount(sessionInfo);
  showStreamState("closed");
  renderSignIn(main, (session) => {
    saveSession(session);
    void start(session);
  });
};

onRouteChange(() => void renderRoute());
const stored = loadSession();
if (stored) void start(stored);
else showSignIn();
