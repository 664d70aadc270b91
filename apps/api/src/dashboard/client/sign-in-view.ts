import { mintSessionKey, verifyCompanyKey } from "./api.ts";
import { h, mount } from "./dom.ts";
import type { Session } from "./session.ts";

const field = (id: string, label: string, attributes: Record<string, string | boolean>) =>
  h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name: id, required: true, ...attributes }),
  );

const formValue = (form: HTMLFormElement, name: string) => String(new FormData(form).get(name) ?? "").trim();

/**
 * Sign in with a company API key, or as an admin with the admin token and a company id (the admin
 * gets a key minted for the session, revoked at sign-out). Secrets go to sessionStorage only.
 */
export const renderSignIn = (root: HTMLElement, onSignedIn: (session: Session) => void) => {
  const keyError = h("p", { role: "alert", class: "form-errors" });
  const adminError = h("p", { role: "alert", class: "form-errors" });

  const keyForm = h(
    "form",
    { "aria-labelledby": "key-title", autocomplete: "off" },
    h("h2", { id: "key-title" }, "Sign in with an API key"),
    field("key-company", "Company id", { autocomplete: "off", spellcheck: false }),
    field("key-secret", "API key", { type: "password", autocomplete: "off" }),
    keyError,
    h("button", { type: "submit" }, "Sign in"),
  );
  keyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const companyId = formValue(keyForm, "key-company");
    const key = formValue(keyForm, "key-secret");
    try {
      await verifyCompanyKey(companyId, key);
      onSignedIn({ companyId, key });
    } catch (error) {
      mount(keyError, `Sign-in failed: ${(error as Error).message}`);
    }
  });

  const adminForm = h(
    "form",
    { "aria-labelledby": "admin-title", autocomplete: "off" },
    h("h2", { id: "admin-title" }, "Sign in as an admin"),
    field("admin-token", "Admin token", { type: "password", autocomplete: "off" }),
    field("admin-company", "Company id", { autocomplete: "off", spellcheck: false }),
    adminError,
    h("button", { type: "submit" }, "Sign in as admin"),
  );
  adminForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = formValue(adminForm, "admin-token");
    const companyId = formValue(adminForm, "admin-company");
    try {
      const minted = await mintSessionKey(token, companyId);
      onSignedIn({ companyId, key: minted.key, admin: { token, keyId: minted.id } });
    } catch (error) {
      mount(adminError, `Sign-in failed: ${(error as Error).message}`);
    }
  });

  mount(root, h("div", { class: "sign-in" }, keyForm, adminForm));
};
