import type { Artifact } from "@kiln/core";
import type { DashboardApi } from "./api.ts";
import { h, mount } from "./dom.ts";
import { formatBytes } from "./format.ts";

/** Object URLs of the open job view, revoked when it closes. */
export const createObjectUrls = () => {
  const urls = new Set<string>();
  return {
    create(blob: Blob) {
      const url = URL.createObjectURL(blob);
      urls.add(url);
      return url;
    },
    revokeAll() {
      for (const url of urls) URL.revokeObjectURL(url);
      urls.clear();
    },
  };
};
export type ObjectUrls = ReturnType<typeof createObjectUrls>;

/**
 * How an artifact is shown: images inline, PDFs in a frame, HTML in a frame sandboxed without
 * scripts (its bytes are tenant content), anything else as text. The bytes are fetched with the
 * Authorization header and shown through an object URL (the CSP allows `blob:` for exactly that).
 */
const previewOf = (artifact: Artifact, blob: Blob, urls: ObjectUrls): HTMLElement => {
  const type = artifact.contentType.split(";")[0]?.trim() ?? "";
  const label = `Preview of ${artifact.name}`;
  if (type.startsWith("image/"))
    return h("img", { src: urls.create(blob), alt: label, class: "preview-image", "data-preview": "image" });
  if (type === "application/pdf")
    return h("iframe", {
      src: urls.create(new Blob([blob], { type: "application/pdf" })),
      title: label,
      class: "preview-frame",
      "data-preview": "pdf",
      "data-bytes": blob.size,
    });
  if (type === "text/html")
    return h("iframe", {
      src: urls.create(new Blob([blob], { type: "text/html" })),
      title: label,
      sandbox: "",
      class: "preview-frame",
      "data-preview": "html",
    });
  const text = h("pre", { class: "preview-text", "data-preview": "text", tabindex: 0 });
  void blob.text().then((content) => mount(text, content.slice(0, 100_000)));
  return text;
};

export const artifactItem = (api: DashboardApi, artifact: Artifact, urls: ObjectUrls) => {
  const previewArea = h("div", { class: "preview", "aria-live": "polite" });
  let blob: Promise<Blob> | undefined;
  const bytes = () => {
    blob ??= api.artifactBlob(artifact.url);
    return blob;
  };
  const failed = (error: unknown) => mount(previewArea, h("p", { role: "alert" }, (error as Error).message));

  const preview = async () => {
    mount(previewArea, h("p", { class: "muted" }, "Loading…"));
    try {
      mount(previewArea, previewOf(artifact, await bytes(), urls));
    } catch (error) {
      failed(error);
    }
  };
  const download = async () => {
    try {
      const link = h("a", { href: urls.create(await bytes()), download: artifact.name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      failed(error);
    }
  };

  return h(
    "li",
    { class: "artifact", "data-artifact": artifact.name },
    h(
      "div",
      { class: "artifact-head" },
      h("span", { class: "mono" }, artifact.name),
      h("span", { class: "muted" }, ` ${artifact.contentType} · ${formatBytes(artifact.size)} `),
      h("button", { type: "button", onclick: () => void preview() }, `Preview ${artifact.name}`),
      h("button", { type: "button", onclick: () => void download() }, `Download ${artifact.name}`),
    ),
    previewArea,
  );
};
